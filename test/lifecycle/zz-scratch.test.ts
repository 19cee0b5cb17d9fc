import { SimPods, testConfig, messages, TestClock } from '../helpers/sim-pods.js';
describe('scratch', function () {
  this.timeout(30000);
  it('start', async () => {
    const pods = new SimPods(testConfig({ serverCount: 3 }));
    await pods.addPod(0);
    const m = await pods.aku(0, 'start');
    console.log(JSON.stringify(m.outcome.steps.map(s=>s.step)));
    console.log(m.lines.join('\n'));
    await pods.app(0, "INSERT INTO SYS.T1 VALUES (1, 'm')");
    await pods.addPod(1);
    const j = await pods.aku(1, 'start');
    console.log(JSON.stringify(j.outcome.steps.map(s=>s.step)));
    console.log(j.lines.join('\n'));
    pods.restartPod(1);
    const r = await pods.aku(1, 'start', { clock: new TestClock(), progressIntervalSec: 60 });
    console.log(JSON.stringify(r.outcome.steps.map(s=>s.step)));
    console.log(r.lines.join('\n'));
    pods.close();
  });
});
