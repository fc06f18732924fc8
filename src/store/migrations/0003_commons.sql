-- Guideline commons: check-item catalogs, guidelines with their pages, the analyser's
-- proposals with evidence, and analysts' overrides.

-- Each catalog version as it was used, so a report can always name (and reload) it.
CREATE TABLE catalogs (
    version TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE check_items (
    catalog_version TEXT NOT NULL REFERENCES catalogs(version) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    category TEXT NOT NULL,
    stage BIGINT NOT NULL CHECK (stage BETWEEN 1 AND 3),
    title_ja TEXT NOT NULL,
    title_en TEXT NOT NULL,
    PRIMARY KEY (catalog_version, item_id)
);

CREATE TABLE guidelines (
    id @ID@,
    industry TEXT NOT NULL,
    publisher TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    year BIGINT NOT NULL DEFAULT 0,
    filename TEXT,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    n_pages BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    UNIQUE (industry, sha256)
);

-- Normalised text per page; evidence offsets are bytes into it.
CREATE TABLE guideline_pages (
    guideline_id BIGINT NOT NULL REFERENCES guidelines(id) ON DELETE CASCADE,
    page BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (guideline_id, page)
);

-- The analyser's proposal per guideline and item, and its review.
CREATE TABLE proposals (
    guideline_id BIGINT NOT NULL REFERENCES guidelines(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    catalog_version TEXT NOT NULL REFERENCES catalogs(version),
    score BIGINT NOT NULL CHECK (score BETWEEN 0 AND 2),
    strength BIGINT NOT NULL CHECK (strength BETWEEN 0 AND 10),
    relation TEXT NOT NULL,
    review TEXT NOT NULL DEFAULT 'proposed'
        CHECK (review IN ('proposed', 'accepted', 'rejected')),
    reviewed_by TEXT,
    reviewed_at BIGINT,
    analysed_at BIGINT NOT NULL,
    PRIMARY KEY (guideline_id, item_id)
);

CREATE TABLE evidence (
    id @ID@,
    guideline_id BIGINT NOT NULL,
    item_id TEXT NOT NULL,
    rank BIGINT NOT NULL,
    page BIGINT NOT NULL,
    byte_offset BIGINT NOT NULL,
    byte_length BIGINT NOT NULL,
    text TEXT NOT NULL,
    score BIGINT NOT NULL,
    matched TEXT NOT NULL,
    FOREIGN KEY (guideline_id, item_id)
        REFERENCES proposals(guideline_id, item_id) ON DELETE CASCADE
);
CREATE INDEX evidence_cell ON evidence(guideline_id, item_id);

-- Analysts' overrides: kept apart from the proposals so that re-analysis never touches them.
CREATE TABLE overrides (
    guideline_id BIGINT NOT NULL REFERENCES guidelines(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    score BIGINT NOT NULL CHECK (score BETWEEN 0 AND 2),
    note TEXT NOT NULL,
    user_id BIGINT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (guideline_id, item_id)
);
