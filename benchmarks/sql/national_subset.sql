-- A representative subset of rulesets/national/national.kepu, written by hand as DuckDB SQL.
-- benchmarks/bench_scale.py runs it over the same projects `kepu check` reads, to compare costs.
--
-- ${WORK} is replaced by the folder where bench_scale.py put what DuckDB cannot read itself (offline,
-- DuckDB 2.0 has neither the excel nor the encodings extension): the xlsx sheets converted to CSV with
-- openpyxl, the GB18030 activity CSVs transcoded to UTF-8, the YAML facts written as CSV. That
-- conversion is timed with the query. Every project is read at once (one row per project and rule).
--
-- What this does NOT do, and kepu does: validate every value and reference (an unreadable date is
-- NULL here, an error there), keep provenance, explain failing items and repairs, score, render.

CREATE MACRO kdate(t) AS make_date(
    CAST(regexp_extract(t, '^\s*(\d{4})\D+(\d{1,2})\D+(\d{1,2})', 1) AS INTEGER),
    CAST(regexp_extract(t, '^\s*(\d{4})\D+(\d{1,2})\D+(\d{1,2})', 2) AS INTEGER),
    CAST(regexp_extract(t, '^\s*(\d{4})\D+(\d{1,2})\D+(\d{1,2})', 3) AS INTEGER));
CREATE MACRO yes(v) AS trim(v) IN ('是', '有', '√', 'yes', 'y', 'true', '1');

CREATE TABLE projects AS SELECT * FROM read_csv('${WORK}/projects.csv', header = true, all_varchar = true);
CREATE TABLE streets AS SELECT * FROM read_csv('${WORK}/streets.csv', header = true, all_varchar = true);
CREATE TABLE communities AS SELECT * FROM read_csv('${WORK}/communities.csv', header = true, all_varchar = true);
CREATE TABLE signs AS SELECT * FROM read_csv('${WORK}/signs.csv', header = true, all_varchar = true);
CREATE TABLE facts AS
SELECT project, TRY_CAST(population AS BIGINT) AS population, TRY_CAST(budget AS DOUBLE) AS budget
FROM read_csv('${WORK}/facts.csv', header = true, all_varchar = true);
CREATE TABLE budget_years AS
SELECT project, CAST(year AS INTEGER) AS year, CAST(budget AS DOUBLE) AS budget
FROM read_csv('${WORK}/budget.csv', header = true, all_varchar = true);

-- The activity ledgers: one UTF-8 copy per project, activities/<idx>.csv, with the platform's headers.
CREATE TABLE activities AS
SELECT p.project,
       a."举办社区" AS community,
       kdate(a."活动日期") AS day,
       a."活动类别" AS category,
       a."面向人群" AS grp,
       TRY_CAST(replace(a."参与人数（人次）", ',', '') AS BIGINT) AS people
FROM read_csv('${WORK}/activities/*.csv', header = true, all_varchar = true, filename = true) a
JOIN projects p ON p.idx = regexp_extract(a.filename, '(\d+)\.csv$', 1);

CREATE TABLE results AS
WITH
-- A1 每个街道至少有 1 个沿街显要的科普标识 (required)
a1 AS (
    SELECT s.project, 'A1' AS rule, count(*) FILTER (WHERE coalesce(r.n, 0) < 1) AS failing, count(*) AS total,
           NULL::DOUBLE AS measured, NULL::DOUBLE AS target
    FROM streets s
    LEFT JOIN (SELECT project, "街道", count(*) AS n FROM signs WHERE yes("沿街显要") GROUP BY ALL) r
           ON r.project = s.project AND r."街道" = s."名称"
    GROUP BY s.project),
-- B1 社区科普日活动覆盖率 >= 80%
b1 AS (
    SELECT c.project, 'B1' AS rule, count(*) - count(sd.community) AS failing, count(*) AS total,
           count(sd.community) / count(*) AS measured, 0.8 AS target
    FROM communities c
    LEFT JOIN (SELECT DISTINCT project, community FROM activities
               WHERE day BETWEEN DATE '2026-08-15' AND DATE '2026-09-30') sd
           ON sd.project = c.project AND sd.community = c."名称"
    GROUP BY c.project),
-- B4 活动覆盖五大重点人群
b4 AS (
    SELECT p.project, 'B4' AS rule,
           5 - count(DISTINCT a.grp) FILTER (WHERE a.grp IN ('青少年', '农民', '产业工人', '老年人', '领导干部和公务员')) AS failing,
           5 AS total, NULL::DOUBLE AS measured, NULL::DOUBLE AS target
    FROM projects p LEFT JOIN activities a ON a.project = p.project
    GROUP BY p.project),
-- B12 每个社区至少 4 场科普活动
b12 AS (
    SELECT c.project, 'B12' AS rule, count(*) FILTER (WHERE coalesce(n.n, 0) < 4) AS failing, count(*) AS total,
           NULL::DOUBLE AS measured, NULL::DOUBLE AS target
    FROM communities c
    LEFT JOIN (SELECT project, community, count(*) AS n FROM activities GROUP BY ALL) n
           ON n.project = c.project AND n.community = c."名称"
    GROUP BY c.project),
-- V3 参与人次 / 常住人口 >= 70% (veto)
v3 AS (
    SELECT f.project, 'V3' AS rule, NULL::BIGINT AS failing, NULL::BIGINT AS total,
           (SELECT sum(people) FROM activities a WHERE a.project = f.project) / f.population AS measured, 0.7 AS target
    FROM facts f),
-- V1 人均科普专项经费 >= 1.0 元 且 预算逐年增加 (veto); F1 人均 >= 2.0 元
increasing AS (
    SELECT project, bool_and(prev IS NULL OR budget > prev) AS ok
    FROM (SELECT project, budget, lag(budget) OVER (PARTITION BY project ORDER BY year) AS prev FROM budget_years)
    GROUP BY project),
v1 AS (
    SELECT f.project, 'V1' AS rule, CASE WHEN i.ok THEN 0 ELSE 1 END AS failing, NULL::BIGINT AS total,
           f.budget * 10000 / f.population AS measured, 1.0 AS target
    FROM facts f LEFT JOIN increasing i ON i.project = f.project),
f1 AS (
    SELECT project, 'F1' AS rule, NULL::BIGINT AS failing, NULL::BIGINT AS total,
           budget * 10000 / population AS measured, 2.0 AS target
    FROM facts)
SELECT project, rule, failing, total, measured, target,
       CASE
           WHEN rule IN ('A1', 'B4', 'B12') THEN CASE WHEN failing = 0 THEN 'pass' ELSE 'fail' END
           WHEN measured IS NULL THEN 'unknown'
           WHEN rule = 'V1' THEN CASE WHEN measured >= target AND failing = 0 THEN 'pass' ELSE 'fail' END
           WHEN measured >= target THEN 'pass'
           ELSE 'fail'
       END AS status
FROM (SELECT * FROM a1 UNION ALL SELECT * FROM b1 UNION ALL SELECT * FROM b4 UNION ALL SELECT * FROM b12
      UNION ALL SELECT * FROM v3 UNION ALL SELECT * FROM v1 UNION ALL SELECT * FROM f1)
ORDER BY project, rule;
