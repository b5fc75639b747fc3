// Every database column that holds values sealed by ./envelope.ts. Master-key rotation
// (scripts/rotate-master-key.ts) re-wraps exactly these, so a module that stores a sealed value
// adds its column here; a test checks the list against the schema's `sealed` column naming.
export type SealedColumn = {
  /** Table name as in the database (Prisma @@map or model name). */
  table: string
  /** Primary-key column. */
  id: string
  /** Column holding the sealed text (nullable columns are skipped when NULL). */
  column: string
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  // Embedded secret store values (NULL for deleted versions) and Vault connection settings.
  { table: 'SecretValue', id: 'id', column: 'sealedValue' },
  { table: 'SecretStoreConfig', id: 'environmentId', column: 'vaultSealed' },
  // TOTP seeds (context totp:<userId>), webhook signing keys (context webhook:<id>) and URLs
  // (context webhook-url:<id>).
  { table: 'TotpEnrollment', id: 'userId', column: 'secretSealed' },
  { table: 'Webhook', id: 'id', column: 'signingKeySealed' },
  { table: 'Webhook', id: 'id', column: 'urlSealed' },
]
