import { strict as assert } from 'node:assert';
import { formatTimestamp } from '../../src/log/format.js';
import { Logger } from '../../src/log/logger.js';

function capture(level?: 'DEBUG' | 'INFO') {
  const lines: string[] = [];
  const errors: string[] = [];
  const logger = new Logger({ write: (l) => lines.push(l), writeError: (l) => errors.push(l), clock: () => 1_710_770_521_005_068, thread: 140678415444224, ...(level ? { level } : {}) });
  return { logger, lines, errors };
}

describe('logger', () => {
  it('writes the original\'s line layout', () => {
    const { logger, lines } = capture();
    logger.info('akuRunStart:truncate', 'Truncate tables for replications.');
    logger.error('akuRunStart:sync', 'failed', { pod: 'altibase-sts-0', replication: 'AKU_REP_01' });
    assert.match(lines[0] ?? '', /^\[AKU\]\[\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.005068\]\[140678415444224\] \[INFO\]\[akuRunStart:truncate\]\[-\]\[-\] Truncate tables for replications\.$/);
    assert.match(lines[1] ?? '', /\] \[ERROR\]\[akuRunStart:sync\]\[altibase-sts-0\]\[AKU_REP_01\] failed$/);
  });

  it('formats local time with microseconds', () => {
    const local = new Date(2024, 2, 18, 14, 2, 1, 5).getTime() * 1000 + 68;
    assert.equal(formatTimestamp(local), '2024/03/18 14:02:01.005068');
  });

  it('hides DEBUG lines unless asked', () => {
    const quiet = capture();
    quiet.logger.debug('sql', 'ALTER REPLICATION R_01 START');
    assert.equal(quiet.lines.length, 0);
    const verbose = capture('DEBUG');
    verbose.logger.debug('sql', 'ALTER REPLICATION R_01 START');
    assert.equal(verbose.lines.length, 1);
  });

  it('never prints a registered password, in log lines, banners or summaries', () => {
    const { logger, lines, errors } = capture();
    logger.addSecret('manager');
    logger.addSecret('man');
    logger.info('x', 'connect failed: PWD=manager;UID=SYS');
    logger.banner('manager');
    logger.summary('error with man inside');
    assert.ok(lines.every((l) => !l.includes('man')), lines.join('\n'));
    assert.ok(errors.every((l) => !l.includes('man')));
    assert.match(lines[0] ?? '', /PWD=\*{8};UID=SYS/);
  });
});
