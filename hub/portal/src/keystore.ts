// The agency's keys between visits: IndexedDB, which stores CryptoKey objects by
// structured clone and keeps them non-extractable (no script can read their bytes,
// this page's included). One record per agency id, so two agencies sharing a browser
// profile do not mix keys. Where IndexedDB is unavailable (a private window that
// refuses it), the keys live in memory for the session only.
import type { AgencyKeys } from "./identity.js";

const DB_NAME = "porchlight-portal";
const STORE = "agency-keys";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB refused to open"));
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  } finally {
    db.close();
  }
}

const memory = new Map<string, AgencyKeys>();

export interface StoredKeys {
  keys: AgencyKeys;
  /** false when only this tab's memory holds them. */
  persistent: boolean;
}

export async function saveKeys(agencyId: string, keys: AgencyKeys): Promise<StoredKeys> {
  memory.set(agencyId, keys);
  try {
    await run("readwrite", (s) => s.put(keys, agencyId));
    return { keys, persistent: true };
  } catch {
    return { keys, persistent: false };
  }
}

export async function loadKeys(agencyId: string): Promise<StoredKeys | null> {
  try {
    const found = (await run("readonly", (s) => s.get(agencyId))) as AgencyKeys | undefined;
    if (found && found.signing instanceof CryptoKey && found.age instanceof CryptoKey) {
      return { keys: found, persistent: true };
    }
  } catch {
    // fall back to memory
  }
  const kept = memory.get(agencyId);
  return kept ? { keys: kept, persistent: false } : null;
}

export async function forgetKeys(agencyId: string): Promise<void> {
  memory.delete(agencyId);
  try {
    await run("readwrite", (s) => s.delete(agencyId));
  } catch {
    // nothing stored
  }
}
