// The outbox a service worker can replay: the replica's pending mutations as
// one encoded Push per database, in IndexedDB (a service worker cannot open
// the OPFS replica). The worker rewrites it after every local write and Ack;
// the service worker POSTs it to /sync/push from its `sync` event. A push
// the socket also sends later is answered `duplicate` (exactly once by
// client_seq), so replaying it is always safe.

/**
 * @typedef {object} OutboxEntry
 * @property {string} url the server's /sync/push
 * @property {string} token
 * @property {string} clientId
 * @property {Uint8Array} body a MessagePack Push
 * @property {number} upTo the highest client_seq in it
 * @property {number} [schemaVersion] the replica's schema version (sent as offsync-schema-version)
 * @property {string} [schemaFingerprint] its fingerprint (offsync-schema-fingerprint)
 */

const DB_NAME = "offsync-outbox";
const STORE = "pushes";

/** @returns {Promise<IDBDatabase>} */
function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @template T @param {"readonly" | "readwrite"} mode @param {(store: IDBObjectStore) => IDBRequest<T>} fn @returns {Promise<T>} */
async function withStore(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Store (or, with null, clear) the pending push of replica `name`.
 * @param {string} name @param {OutboxEntry | null} entry */
export function saveOutbox(name, entry) {
  return withStore("readwrite", (store) => /** @type {IDBRequest<any>} */ (entry === null ? store.delete(name) : store.put(entry, name)));
}

/** Every stored push, by replica name. @returns {Promise<[string, OutboxEntry][]>} */
export async function readOutbox() {
  const keys = /** @type {string[]} */ (await withStore("readonly", (store) => store.getAllKeys()));
  const values = /** @type {OutboxEntry[]} */ (await withStore("readonly", (store) => store.getAll()));
  return keys.map((k, i) => [k, values[i]]);
}

/**
 * POST every stored push to its server; drop those the server answered
 * (an Ack: applied, duplicate or rejected alike; the page's replica learns
 * each mutation's fate when it next connects). Returns how many were sent.
 * @returns {Promise<number>}
 */
export async function replayOutbox() {
  let sent = 0;
  for (const [name, entry] of await readOutbox()) {
    const response = await fetch(entry.url, {
      method: "POST", body: /** @type {BodyInit} */ (/** @type {unknown} */ (entry.body)),
      headers: { "content-type": "application/msgpack", authorization: `Bearer ${entry.token}`, "offsync-client-id": entry.clientId,
                 ...(entry.schemaVersion ? { "offsync-schema-version": String(entry.schemaVersion),
                                             "offsync-schema-fingerprint": entry.schemaFingerprint ?? "" } : {}) },
    });
    if (response.status >= 500) throw new Error(`the server could not store the push (${response.status}); retry`);
    if (response.ok) {
      const stored = /** @type {OutboxEntry | undefined} */ (await withStore("readonly", (store) => store.get(name)));
      if (stored && stored.upTo === entry.upTo) await saveOutbox(name, null); // unless the page queued more meanwhile
      sent += 1;
    }
  }
  return sent;
}
