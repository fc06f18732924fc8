-- Guideline commons on the web: the background analysis queue, industry associations'
-- industries and draft guidelines, and the SME self-check (results saved under a private
-- link, and anonymous contributions for the peer comparison).

-- An industry association's user is tied to its industry, as guidelines name it
-- (guidelines.industry, e.g. '物流'); NULL for every other user.
ALTER TABLE users ADD COLUMN industry TEXT;

-- Analyses run in the background. Any server process may take a queued job: it claims it
-- by moving it from 'queued' to 'running' only where it is still queued. heartbeat_at is
-- refreshed while it runs, so a job whose process died is found and marked failed.
CREATE TABLE analysis_jobs (
    id @ID@,
    kind TEXT NOT NULL CHECK (kind IN ('guideline', 'all', 'draft')),
    target_id BIGINT,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed')),
    reason TEXT,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    user_id BIGINT,
    requested_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    heartbeat_at BIGINT
);
CREATE INDEX analysis_jobs_state ON analysis_jobs(state, id);

-- An association's draft guideline (or none: a draft without pages), the stage it aims at,
-- its pages while it is kept, and the analyser's score per check item with the best
-- sentence found. Drafts are private to the user who added them.
CREATE TABLE drafts (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    industry TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT,
    stage BIGINT NOT NULL CHECK (stage BETWEEN 1 AND 3),
    n_pages BIGINT NOT NULL,
    catalog_version TEXT REFERENCES catalogs(version),
    analysed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX drafts_user ON drafts(user_id, id);

CREATE TABLE draft_pages (
    draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    page BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (draft_id, page)
);

CREATE TABLE draft_scores (
    draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    score BIGINT NOT NULL CHECK (score BETWEEN 0 AND 2),
    page BIGINT,
    evidence TEXT,
    PRIMARY KEY (draft_id, item_id)
);

-- A self-check result an SME chose to keep. Only a hash of the private link's token is
-- stored, so the database alone does not open anyone's result. answers is
-- 'ITEM=answer;ITEM=answer...'; the profile fields are what the SME gave, or NULL.
CREATE TABLE selfcheck_results (
    id @ID@,
    token_hash TEXT NOT NULL UNIQUE,
    answers TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    prefecture TEXT,
    industry TEXT,
    size_band TEXT,
    created_at BIGINT NOT NULL
);

-- Anonymous contributions for the peer comparison: the industry (JSIC major group letter)
-- and size band, the scores, and the month only - nothing that links a row to a visit or
-- to a saved result.
CREATE TABLE selfcheck_contributions (
    id @ID@,
    industry TEXT NOT NULL CHECK (length(industry) = 1),
    size_band TEXT NOT NULL,
    score BIGINT NOT NULL,
    category_scores TEXT NOT NULL,
    month TEXT NOT NULL CHECK (length(month) = 7)
);
CREATE INDEX selfcheck_contributions_peer ON selfcheck_contributions(industry, size_band);
