// The replica where OPFS is missing: SQLite WASM has no IndexedDB VFS, so the
// database runs in memory and its whole image (sqlite3_js_db_export, i.e.
// sqlite3_serialize) is stored in IndexedDB, one put in one IDB transaction,
// after committed writes; at start the image is read back into the memory
// database (sqlite3_deserialize, FREEONCLOSE | RESIZEABLE so it can grow).
//
// What is durable when (docs/browser.md, "IndexedDB fallback"):
// * a local write (insert, update, ..., exec) is answered only after an image
//   taken after its commit is stored, in a "strict" IndexedDB transaction
//   (committed once on disk): a write the page saw succeed survives a reload,
//   a crash of the tab or of the machine;
// * server changes, Acks and the cursor are stored at most SAVE_DELAY_MS after
//   they commit (or SAVE_SHARE times the last store's time, on a large
//   replica, so that a bootstrap does not spend most of its time storing
//   images): a crash in between loses only that, and since the cursor is in
//   the same image the rows are pulled again and queued writes pushed again
//   (answered `duplicate`);
// * each save writes the whole image: its cost grows with the database.

const DB_NAME = "offsync-images";
const STORE = "images";
/** server changes are saved at most this long after they commit, in one image */
export const SAVE_DELAY_MS = 200;
/** ... or this many times as long as the last store took, whichever is longer */
export const SAVE_SHARE = 4;
/** how long a worker waits for the image's lock (a tab handing over may still hold it) */
export const LOCK_WAIT_MS = 5000;

/** @returns {Promise<IDBDatabase>} */
function openIdb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @template T @param {IDBDatabase} idb @param {"readonly" | "readwrite"} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} fn @param {IDBTransactionDurability} [durability]
 * @returns {Promise<T>} */
function inStore(idb, mode, fn, durability = "default") {
  return new Promise((resolve, reject) => {
    const tx = idb.transaction(STORE, mode, { durability });
    const request = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * Hold the Web Lock `name` until the returned function is called (or the
 * worker ends). Two workers on one image would each store theirs over the
 * other's; OPFS refuses a second opener by itself, IndexedDB does not.
 * @param {string} name @returns {Promise<() => void>}
 */
function holdLock(name) {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((resolve, reject) => {
    navigator.locks.request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) },
                            () => new Promise((release) => resolve(() => release(undefined)))).catch(reject);
  });
}

/** A memory database whose image is kept in IndexedDB under a name. */
export class ImageStore {
  /**
   * Open the memory database `name`, filled from its stored image if there is one.
   * @param {any} sqlite3 the initialised SQLite WASM module @param {string} name
   * @returns {Promise<ImageStore>}
   */
  static async open(sqlite3, name) {
    let release;
    try {
      release = await holdLock(`offsync-image:${name}`);
    } catch {
      throw new Error(`another worker keeps the replica ${JSON.stringify(name)} in IndexedDB `
                      + `(its lock was not released in ${LOCK_WAIT_MS} ms)`);
    }
    /** @type {IDBDatabase | null} */
    let idb = null;
    try {
      const stored = await openIdb();
      idb = stored;
      const image = /** @type {Uint8Array | undefined} */ (
        await inStore(stored, "readonly", (store) => store.get(name)));
      const db = new sqlite3.oo1.DB(":memory:", "c");
      if (image && image.byteLength) {
        const capi = sqlite3.capi;
        const pointer = sqlite3.wasm.allocFromTypedArray(image);
        // FREEONCLOSE: SQLite owns the copy (and frees it even if this fails); RESIZEABLE: it may grow
        const flags = (capi.SQLITE_DESERIALIZE_FREEONCLOSE ?? 1) | (capi.SQLITE_DESERIALIZE_RESIZEABLE ?? 2);
        db.checkRc(capi.sqlite3_deserialize(db.pointer, "main", pointer, image.byteLength, image.byteLength, flags));
      }
      return new ImageStore(sqlite3, db, stored, name, release);
    } catch (err) {
      if (idb) idb.close();
      release();
      throw err;
    }
  }

  /** @param {any} sqlite3 @param {any} db @param {IDBDatabase} idb @param {string} name @param {() => void} release */
  constructor(sqlite3, db, idb, name, release) {
    this.sqlite3 = sqlite3;
    /** the oo1.DB in memory the replica runs on */
    this.db = db;
    this.idb = idb;
    this.name = name;
    this.release = release;
    /** sqlite3_total_changes when the last stored image was taken (-1: store the next one whatever) */
    this.savedAt = -1;
    /** whether that image was stored "strict" */
    this.savedStrict = false;
    /** @type {Promise<void>} the saves, one after another */
    this.chain = Promise.resolve();
    /** @type {Promise<void> | null} a save not started yet: callers join it */
    this.queued = null;
    /** whether a caller of the queued save wants it on disk before it resolves */
    this.queuedStrict = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    /** figures: images stored, their bytes, time spent (export + IndexedDB) */
    this.stats = { saves: 0, bytes: 0, ms: 0 };
    /** how long the last store took, ms */
    this.lastMs = 0;
  }

  /** Store an image soon (server changes: at most SAVE_DELAY_MS from now). */
  saveSoon() {
    if (this.timer !== null) return;
    const delay = Math.max(SAVE_DELAY_MS, SAVE_SHARE * this.lastMs);
    this.timer = setTimeout(() => { this.timer = null; this.save().catch(() => {}); }, delay);
  }

  /**
   * Store an image taken after now; resolves once IndexedDB has committed it
   * (`strict`: on disk; else as the browser's default durability has it).
   * Concurrent callers share one image (a group commit).
   * @param {boolean} [strict] @returns {Promise<void>}
   */
  save(strict = false) {
    if (this.queued === null) {
      const step = this.chain.then(() => {
        const durability = this.queuedStrict ? "strict" : "default";
        this.queued = null;
        this.queuedStrict = false;
        return this.write(durability);
      });
      this.queued = step;
      this.chain = step.catch(() => {});
    }
    if (strict) this.queuedStrict = true;
    return this.queued;
  }

  /** @param {IDBTransactionDurability} durability */
  async write(durability) {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    const capi = this.sqlite3.capi;
    if (!this.db.isOpen()) return;
    const changes = Number(capi.sqlite3_total_changes64(this.db.pointer));
    if (changes === this.savedAt && (durability !== "strict" || this.savedStrict)) return;
    // the worker runs each transaction to its end in one task, so this is never mid-transaction
    if (!capi.sqlite3_get_autocommit(this.db.pointer)) throw new Error("cannot store the image inside a transaction");
    const started = performance.now();
    const image = capi.sqlite3_js_db_export(this.db.pointer);
    await inStore(this.idb, "readwrite", (store) => store.put(image, this.name), durability);
    this.savedAt = changes;
    this.savedStrict = durability === "strict";
    this.stats.saves += 1;
    this.stats.bytes = image.byteLength;
    this.lastMs = performance.now() - started;
    this.stats.ms += this.lastMs;
  }

  /** Store the last image, then close the IndexedDB connection and let the
   * next worker have the image (the database is the caller's). */
  async close() {
    try { await this.save(true); } finally {
      this.idb.close();
      this.release();
    }
  }
}
