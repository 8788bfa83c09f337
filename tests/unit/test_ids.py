import uuid

from sync_client.ids import new_id, new_ids


def _valid(text: str) -> bool:
    parsed = uuid.UUID(text)
    return parsed.version == 7 and parsed.variant == uuid.RFC_4122 and str(parsed) == text


def test_ids_one_at_a_time_and_in_batches_are_uuid7_and_strictly_increasing() -> None:
    made = [new_id(), *new_ids(3), new_id(), *new_ids(50), *new_ids(0), new_id()]
    assert all(_valid(i) for i in made)
    assert made == sorted(set(made))


def test_a_batch_larger_than_a_millisecond_counter_carries_into_the_next_millisecond() -> None:
    made = new_ids(10_000)  # the 12-bit counter holds 4,096 ids a millisecond
    assert made == sorted(set(made)) and all(_valid(i) for i in made[::997])
    assert len({i[:13] for i in made}) >= 3  # at least three milliseconds used
