// Media on local disk: one file per content hash, written to a temp name and renamed so a
// reader never sees half a file.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertMediaKey, type MediaStorage } from "./storage";

export function createLocalStorage(dir: string): MediaStorage {
  return {
    kind: "local",
    async put(key, bytes) {
      assertMediaKey(key);
      await mkdir(dir, { recursive: true });
      const tmp = path.join(dir, `.${key}.${process.pid}.${Date.now()}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, path.join(dir, key));
    },
    async get(key) {
      assertMediaKey(key);
      try {
        return await readFile(path.join(dir, key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
  };
}
