// Secrets kept in the store (provider tokens), sealed with AES-256-GCM under SECRET_KEY. Never logged.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from './store/schema.ts';

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url')).join('.');
}

/** Throws when the value was sealed with another key or altered. */
export function unseal(key: Buffer, sealed: string): string {
  const [iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !ciphertext) throw new Error('sealed secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

export interface SecretStore {
  get(name: string): Promise<string | null>;
  put(name: string, value: string): Promise<void>;
}

export function createSecretStore(db: Db, key: Buffer, clock: () => number = Date.now): SecretStore {
  return {
    async get(name) {
      const row = await db.selectFrom('secrets').select('sealed').where('name', '=', name).executeTakeFirst();
      if (!row) return null;
      try {
        return unseal(key, row.sealed);
      } catch {
        throw new Error(`secret "${name}" cannot be opened: SECRET_KEY differs from the key it was saved with / 保存時と SECRET_KEY が異なります`);
      }
    },
    async put(name, value) {
      const sealed = seal(key, value);
      const updated_at = new Date(clock()).toISOString();
      await db
        .insertInto('secrets')
        .values({ name, sealed, updated_at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ sealed, updated_at }))
        .execute();
    },
  };
}
