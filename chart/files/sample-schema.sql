-- Sample schema of the chart's default values: the table the default aku.replications replicates
-- (SYS.T1). Rendered only when no init scripts of your own are given (altibase.sampleSchema).
-- Replicated tables need a primary key and the same definition on every pod.
CREATE TABLE T1 (ID INTEGER PRIMARY KEY, V VARCHAR(100));
