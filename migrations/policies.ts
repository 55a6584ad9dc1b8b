/**
 * The two row-level security policies every table gets (ADR 005). FORCE makes
 * them apply to the table's owner too; repositories run as guildhall_app,
 * which superusers would otherwise let bypass them.
 */

/** Visible and writable only in its tenant's context (`app.tenant_id`), or in platform context. */
export const tenantIsolation = (table: string, column = "tenant_id") => `
  ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
  ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
  CREATE POLICY ${table}_isolation ON ${table}
    USING (${column} = nullif(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.platform', true) = 'on')
    WITH CHECK (${column} = nullif(current_setting('app.tenant_id', true), '')::uuid
                OR current_setting('app.platform', true) = 'on');
`

/** Belongs to no tenant: visible only in platform context (`app.platform = 'on'`). */
export const platformOnly = (table: string) => `
  ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
  ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
  CREATE POLICY ${table}_platform_only ON ${table}
    USING (current_setting('app.platform', true) = 'on')
    WITH CHECK (current_setting('app.platform', true) = 'on');
`
