-- Customer contacts (control-panel seed, Contacts): the logins of a customer
-- (its company administrators) with the provider's notes about them. Public
-- notes are shown to the customer in their portal; private notes only to
-- the provider's operators. The verified flags record what the operator
-- (or later the customer) confirmed.
CREATE TABLE customer_contacts (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    mobile TEXT NOT NULL DEFAULT '',
    public_notes TEXT NOT NULL DEFAULT '',
    private_notes TEXT NOT NULL DEFAULT '',
    mobile_verified {{bool}} NOT NULL DEFAULT {{false}},
    email_verified {{bool}} NOT NULL DEFAULT {{false}},
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customer_contacts_company ON customer_contacts (company_id);
