import assert from 'node:assert/strict';
import { ServerSessions } from '../../src/db/server-sessions.js';
import type { SessionSettings } from '../../src/db/session.js';
import { FakeDriver, delay, diag } from './fake-driver.js';

function settings(overrides: Partial<SessionSettings> = {}): SessionSettings {
  return {
    port: 20300,
    user: 'SYS',
    password: 'manager',
    sysdba: true,
    connectTimeoutSec: 0.2,
    queryTimeoutSec: 60,
    retryCount: 0,
    retryDelayMsec: 0,
    deadlineGraceMs: 0,
    ...overrides,
  };
}

const peers = Array.from({ length: 5 }, (_, i) => `altibase-sts-${i}.altibase-svc`);

describe('ServerSessions', () => {
  it('gives every caller the same session for a server, created lazily', async () => {
    const driver = new FakeDriver();
    const registry = new ServerSessions(driver, settings());
    const a = registry.get(peers[0]!);
    assert.equal(registry.get(peers[0]!), a);
    assert.notEqual(registry.get(peers[1]!), a);
    assert.equal(driver.connectAttempts, 0);
    await Promise.all([a.query('X'), registry.get(peers[0]!).query('Y')]);
    assert.equal(driver.connectAttempts, 1, 'one connection per server');
    assert.equal(registry.get(peers[0]!, 20400).server, `${peers[0]}:20400`);
  });

  it('reaches five unreachable servers in about one connect timeout, not five', async () => {
    const driver = new FakeDriver();
    driver.connectPlan = () => ({ kind: 'hang' });
    const registry = new ServerSessions(driver, settings({ connectTimeoutSec: 0.2 }));
    const started = Date.now();
    const result = await registry.reach(peers);
    const elapsed = Date.now() - started;
    assert.equal(driver.connectAttempts, 5);
    assert.ok(elapsed >= 190 && elapsed < 600, `took ${elapsed} ms (five sequential timeouts would be 1000 ms)`);
    assert.deepEqual(
      result.unreachable.map((u) => u.host),
      peers,
    );
    assert.ok(result.unreachable.every((u) => u.error.timedOutByAku && u.error.phase === 'connect'));
    assert.deepEqual(result.reached, []);
  });

  it('reports which servers were reached and which were not, with the reason', async () => {
    const driver = new FakeDriver();
    driver.connectPlan = (_n, options) =>
      options.host === peers[2] ? { kind: 'fail', diagnostics: [diag(0x50032, '08001', 'Client unable to establish connection.')] } : { kind: 'ok' };
    const registry = new ServerSessions(driver, settings());
    const result = await registry.reach(peers.slice(0, 4));
    assert.deepEqual(
      result.reached.map((s) => s.host),
      [peers[0], peers[1], peers[3]],
    );
    assert.equal(result.unreachable.length, 1);
    assert.equal(result.unreachable[0]!.server, `${peers[2]}:20300`);
    assert.match(result.unreachable[0]!.error.message, /^ERR-50032 : Client unable to establish connection\. \[connecting\]/);
  });

  it('closes every session after its running statement and refuses new ones', async () => {
    const driver = new FakeDriver();
    driver.onQuery = async () => {
      await delay(30);
      return [];
    };
    const registry = new ServerSessions(driver, settings());
    const running = [registry.get(peers[0]!).query('A'), registry.get(peers[1]!).query('B')];
    await delay(5);
    await registry.closeAll();
    await Promise.all(running);
    assert.ok(driver.connections.every((c) => c.closed));
    assert.ok(!driver.events.some((e) => e.endsWith('WHILE-RUNNING')));
    assert.throws(() => registry.get(peers[2]!), /closed/);
  });
});
