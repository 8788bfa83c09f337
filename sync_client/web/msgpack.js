// MessagePack for the offsync wire, exact for 64-bit integers.
//
// JSON.parse rounds integers above 2^53 - 1; MessagePack carries them as
// int64/uint64, which this decoder returns as a BigInt whenever the value is
// outside Number's safe range (a Number otherwise). The encoder writes a
// BigInt as a 64-bit integer. Strings are UTF-8, byte arrays are `bin`,
// maps are plain objects (keys are strings on this wire). Nothing else:
// no extension types, no Map, no Date.

/** A decoded value: null, boolean, number, bigint, string, Uint8Array, arrays and string-keyed objects of these.
 * @typedef {any} MsgValue */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Raised for bytes that are not MessagePack this codec reads. */
export class MsgpackError extends Error {}

class Writer {
  constructor() {
    /** @type {Uint8Array} */
    this.bytes = new Uint8Array(256);
    this.view = new DataView(this.bytes.buffer);
    this.length = 0;
  }

  /** @param {number} n */
  reserve(n) {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** @param {number} b */
  u8(b) { this.reserve(1); this.bytes[this.length++] = b; }
  /** @param {number} tag @param {number} v */
  u8t(tag, v) { this.reserve(2); this.bytes[this.length++] = tag; this.bytes[this.length++] = v; }
  /** @param {number} tag @param {number} v */
  u16(tag, v) { this.reserve(3); this.bytes[this.length++] = tag; this.view.setUint16(this.length, v); this.length += 2; }
  /** @param {number} tag @param {number} v */
  u32(tag, v) { this.reserve(5); this.bytes[this.length++] = tag; this.view.setUint32(this.length, v); this.length += 4; }
  /** @param {number} tag @param {bigint} v */
  i64(tag, v) {
    this.reserve(9);
    this.bytes[this.length++] = tag;
    if (tag === 0xcf) this.view.setBigUint64(this.length, v); else this.view.setBigInt64(this.length, v);
    this.length += 8;
  }
  /** @param {Uint8Array} b */
  raw(b) { this.reserve(b.length); this.bytes.set(b, this.length); this.length += b.length; }
}

/** @param {Writer} w @param {number} n @param {number} fix @param {number} fixMax @param {number[]} tags */
function header(w, n, fix, fixMax, tags) {
  if (n <= fixMax && fix >= 0) w.u8(fix | n);
  else if (n < 0x100 && tags[0] >= 0) w.u8t(tags[0], n);
  else if (n < 0x10000) w.u16(tags[1], n);
  else w.u32(tags[2], n);
}

/** @param {Writer} w @param {bigint} v */
function writeBigInt(w, v) {
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    writeValue(w, Number(v));
  } else if (v > 0n) {
    if (v > 0xffffffffffffffffn) throw new MsgpackError(`integer ${v} does not fit in 64 bits`);
    w.i64(0xcf, v);
  } else {
    if (v < -0x8000000000000000n) throw new MsgpackError(`integer ${v} does not fit in 64 bits`);
    w.i64(0xd3, v);
  }
}

/** @param {Writer} w @param {number} v */
function writeNumber(w, v) {
  if (!Number.isSafeInteger(v)) {
    // a fraction, or a double past 2^53 (1e300): float64, as it is. An integer
    // field refuses such a Number before it gets here (replica.js toStored)
    w.reserve(9); w.bytes[w.length++] = 0xcb; w.view.setFloat64(w.length, v); w.length += 8;
    return;
  }
  if (v >= 0) {
    if (v < 0x80) w.u8(v);
    else if (v < 0x100) w.u8t(0xcc, v);
    else if (v < 0x10000) w.u16(0xcd, v);
    else if (v < 0x100000000) w.u32(0xce, v);
    else w.i64(0xcf, BigInt(v));
  } else if (v >= -32) w.u8(v & 0xff);
  else if (v >= -0x80) w.u8t(0xd0, v & 0xff);
  else if (v >= -0x8000) w.u16(0xd1, v & 0xffff);
  else if (v >= -0x80000000) { w.reserve(5); w.bytes[w.length++] = 0xd2; w.view.setInt32(w.length, v); w.length += 4; }
  else w.i64(0xd3, BigInt(v));
}

/** @param {Writer} w @param {unknown} v */
function writeValue(w, v) {
  if (v === null || v === undefined) w.u8(0xc0);
  else if (v === false) w.u8(0xc2);
  else if (v === true) w.u8(0xc3);
  else if (typeof v === "number") writeNumber(w, v);
  else if (typeof v === "bigint") writeBigInt(w, v);
  else if (typeof v === "string") {
    const b = utf8Encoder.encode(v);
    header(w, b.length, 0xa0, 31, [0xd9, 0xda, 0xdb]);
    w.raw(b);
  } else if (v instanceof Uint8Array) {
    header(w, v.length, -1, -1, [0xc4, 0xc5, 0xc6]);
    w.raw(v);
  } else if (Array.isArray(v)) {
    header(w, v.length, 0x90, 15, [-1, 0xdc, 0xdd]);
    for (const item of v) writeValue(w, item);
  } else if (typeof v === "object") {
    const entries = Object.entries(/** @type {object} */ (v)).filter(([, x]) => x !== undefined);
    header(w, entries.length, 0x80, 15, [-1, 0xde, 0xdf]);
    for (const [key, item] of entries) { writeValue(w, key); writeValue(w, item); }
  } else {
    throw new MsgpackError(`cannot encode a ${typeof v}`);
  }
}

/**
 * Encode one value.
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function encode(value) {
  const w = new Writer();
  writeValue(w, value);
  return w.bytes.slice(0, w.length);
}

class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 0;
  }

  /** @param {number} n */
  need(n) {
    if (this.at + n > this.bytes.length) throw new MsgpackError(`truncated at byte ${this.at}`);
    const at = this.at;
    this.at += n;
    return at;
  }
}

/** @param {bigint} v @returns {number | bigint} */
function exact(v) {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** @param {Reader} r @param {number} n @returns {string} */
function readString(r, n) {
  const at = r.need(n);
  return utf8Decoder.decode(r.bytes.subarray(at, at + n));
}

/** @param {Reader} r @param {number} n @returns {MsgValue[]} */
function readArray(r, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readValue(r);
  return out;
}

/** @param {Reader} r @param {number} n @returns {{[key: string]: MsgValue}} */
function readMap(r, n) {
  /** @type {{[key: string]: MsgValue}} */
  const out = {};
  for (let i = 0; i < n; i++) {
    const key = readValue(r);
    if (typeof key !== "string" && typeof key !== "number") throw new MsgpackError("a map key must be a string");
    Object.defineProperty(out, String(key), { value: readValue(r), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** @param {Reader} r @returns {MsgValue} */
function readValue(r) {
  const b = r.bytes[r.need(1)];
  if (b < 0x80) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b >= 0x80 && b <= 0x8f) return readMap(r, b & 0x0f);
  if (b >= 0x90 && b <= 0x9f) return readArray(r, b & 0x0f);
  if (b >= 0xa0 && b <= 0xbf) return readString(r, b & 0x1f);
  const v = r.view;
  switch (b) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: { const n = v.getUint8(r.need(1)); const at = r.need(n); return r.bytes.slice(at, at + n); }
    case 0xc5: { const n = v.getUint16(r.need(2)); const at = r.need(n); return r.bytes.slice(at, at + n); }
    case 0xc6: { const n = v.getUint32(r.need(4)); const at = r.need(n); return r.bytes.slice(at, at + n); }
    case 0xca: return v.getFloat32(r.need(4));
    case 0xcb: return v.getFloat64(r.need(8));
    case 0xcc: return v.getUint8(r.need(1));
    case 0xcd: return v.getUint16(r.need(2));
    case 0xce: return v.getUint32(r.need(4));
    case 0xcf: return exact(v.getBigUint64(r.need(8)));
    case 0xd0: return v.getInt8(r.need(1));
    case 0xd1: return v.getInt16(r.need(2));
    case 0xd2: return v.getInt32(r.need(4));
    case 0xd3: return exact(v.getBigInt64(r.need(8)));
    case 0xd9: return readString(r, v.getUint8(r.need(1)));
    case 0xda: return readString(r, v.getUint16(r.need(2)));
    case 0xdb: return readString(r, v.getUint32(r.need(4)));
    case 0xdc: return readArray(r, v.getUint16(r.need(2)));
    case 0xdd: return readArray(r, v.getUint32(r.need(4)));
    case 0xde: return readMap(r, v.getUint16(r.need(2)));
    case 0xdf: return readMap(r, v.getUint32(r.need(4)));
    default: throw new MsgpackError(`unsupported MessagePack type 0x${b.toString(16)} at byte ${r.at - 1}`);
  }
}

/**
 * Decode one value; integers outside ±(2^53 - 1) come back as BigInt.
 * @param {Uint8Array | ArrayBuffer} data
 * @returns {MsgValue}
 * @throws {MsgpackError} on bytes that are not one MessagePack value
 */
export function decode(data) {
  const r = new Reader(data instanceof Uint8Array ? data : new Uint8Array(data));
  const value = readValue(r);
  if (r.at !== r.bytes.length) throw new MsgpackError(`${r.bytes.length - r.at} bytes after the value`);
  return value;
}

/**
 * JSON.parse that keeps integers exact: those outside Number's safe range
 * come back as BigInt (for the JSON text SQLite's json_object() makes).
 * @param {string} text
 * @returns {any}
 */
export function parseJsonExact(text) {
  return JSON.parse(text, /** @type {any} */ (function (/** @type {string} */ _key, /** @type {any} */ value, /** @type {{source?: string} | undefined} */ context) {
    if (typeof value === "number" && !Number.isSafeInteger(value) && context && context.source
        && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  }));
}
