-- Billing (docs/billing.md): the provider's rate table, the usage each
-- customer's calls added up to per UTC day, the carried fraction of each
-- customer's balance, the provider's invoice settings, the monthly prices of
-- packages and add-ons, and the invoices themselves.

-- billing_rates: a price per minute for one traffic type (the codes of
-- calls.traffic) and destination prefix (digits of the E.164 number without
-- '+'; '' matches every destination), in one currency, with a setup fee, a
-- minimum and an increment in seconds, effective from valid_from until
-- valid_to (0: open). Amounts are micros (millionths of the currency unit).
-- A rate is never edited once made: it is ended and replaced, so a call's
-- price can always be worked out again.
CREATE TABLE billing_rates (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    traffic SMALLINT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    per_minute_micros BIGINT NOT NULL,
    setup_micros BIGINT NOT NULL DEFAULT 0,
    minimum_seconds INTEGER NOT NULL DEFAULT 0,
    increment_seconds INTEGER NOT NULL DEFAULT 1,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX billing_rates_provider ON billing_rates (provider_id, traffic, prefix, valid_from);

-- billing_usage: per customer, UTC day, traffic and direction, the calls,
-- the answered ones, billable and billed seconds, the charge, and the calls
-- for which no rate was found. Ingest adds to it in the transaction that
-- stores the calls; the summaries and invoices read only this table.
CREATE TABLE billing_usage (
    provider_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    traffic SMALLINT NOT NULL,
    direction SMALLINT NOT NULL,
    calls BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    seconds BIGINT NOT NULL DEFAULT 0,
    billed_seconds BIGINT NOT NULL DEFAULT 0,
    charge_micros BIGINT NOT NULL DEFAULT 0,
    unrated BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, day, traffic, direction, provider_id)
);
CREATE INDEX billing_usage_provider ON billing_usage (provider_id, day);

-- Calls stored before billing existed count in the usage (unrated).
INSERT INTO billing_usage (provider_id, company_id, day, traffic, direction, calls, answered, seconds, unrated)
    SELECT provider_id, company_id, (start_at / 86400000) * 86400000, traffic, direction, COUNT(*),
        SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END), SUM(billsec), 0
    FROM calls WHERE company_id <> 0
    GROUP BY provider_id, company_id, (start_at / 86400000) * 86400000, traffic, direction;

-- billing_balances: the fraction of a minor unit charged but not yet taken
-- off companies.balance_minor, and everything charged so far.
CREATE TABLE billing_balances (
    company_id BIGINT PRIMARY KEY REFERENCES companies(id),
    carried_micros BIGINT NOT NULL DEFAULT 0,
    charged_micros BIGINT NOT NULL DEFAULT 0
);

-- billing_settings: the provider's tax rate (basis points) and invoice
-- numbering.
CREATE TABLE billing_settings (
    provider_id BIGINT PRIMARY KEY REFERENCES providers(id),
    tax_rate_bp INTEGER NOT NULL DEFAULT 2000,
    invoice_prefix TEXT NOT NULL DEFAULT 'INV-',
    next_invoice BIGINT NOT NULL DEFAULT 1
);

-- billing_package_prices: the monthly rental of a package or add-on, per
-- term (0: whatever the term) and currency.
CREATE TABLE billing_package_prices (
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id) ON DELETE CASCADE,
    term_id BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    monthly_micros BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (package_id, term_id, currency)
);

-- invoices are immutable once generated: one per customer and calendar
-- month (UTC), numbered per provider.
CREATE TABLE invoices (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    currency TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    usage_minor BIGINT NOT NULL,
    rental_minor BIGINT NOT NULL,
    subtotal_minor BIGINT NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE UNIQUE INDEX invoices_number ON invoices (provider_id, number);
CREATE UNIQUE INDEX invoices_period ON invoices (company_id, period_start);
CREATE INDEX invoices_provider ON invoices (provider_id, created_at, id);

CREATE TABLE invoice_lines (
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL,
    unit_price_micros BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
