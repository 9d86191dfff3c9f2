"""PostgreSQL guards of the ledger: rows cannot be updated or deleted, and a transaction whose
entries do not sum to zero cannot commit (a deferred constraint trigger). SQLite relies on the
model guards and the posting service; ``verify_ledger`` checks both everywhere."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION partners_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER partners_ledgertransaction_append_only
    BEFORE UPDATE OR DELETE ON partners_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION partners_ledger_append_only();
CREATE TRIGGER partners_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON partners_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION partners_ledger_append_only();

CREATE OR REPLACE FUNCTION partners_ledger_balanced() RETURNS trigger AS $$
DECLARE total bigint;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM partners_ledgerentry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (sum %)', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER partners_ledgerentry_balanced
    AFTER INSERT ON partners_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION partners_ledger_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS partners_ledgerentry_balanced ON partners_ledgerentry;
DROP TRIGGER IF EXISTS partners_ledgerentry_append_only ON partners_ledgerentry;
DROP TRIGGER IF EXISTS partners_ledgertransaction_append_only ON partners_ledgertransaction;
DROP FUNCTION IF EXISTS partners_ledger_balanced();
DROP FUNCTION IF EXISTS partners_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
