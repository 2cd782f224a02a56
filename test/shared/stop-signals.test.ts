import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { handleStopSignals } from '../../shared/stop-signals.ts';

const listeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];

describe('handleStopSignals', () => {
  it('the first signal stops gracefully, the second immediately; then the handlers are gone', () => {
    const before = listeners();
    const calls: string[] = [];
    const stop = handleStopSignals({
      graceful: (s) => calls.push(`graceful ${s}`),
      immediate: (s) => calls.push(`immediate ${s}`),
    });
    expect(listeners()).toEqual(before.map((n) => n + 1));
    process.emit('SIGTERM', 'SIGTERM');
    expect(calls).toEqual(['graceful SIGTERM']);
    process.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['graceful SIGTERM', 'immediate SIGINT']);
    expect(stop.received).toBe(2);
    // A third signal must reach Node's default handling (the process ends), not us.
    expect(listeners()).toEqual(before);
  });

  it('dispose removes the handlers', () => {
    const before = listeners();
    const stop = handleStopSignals({ graceful: () => {} });
    stop.dispose();
    stop.dispose();
    expect(listeners()).toEqual(before);
    expect(stop.received).toBe(0);
  });

  it('without an immediate handler, a second signal ends the process by that signal', async () => {
    const helper = new URL('../../shared/stop-signals.ts', import.meta.url).href;
    const script = [
      `import { handleStopSignals } from ${JSON.stringify(helper)};`,
      "handleStopSignals({ graceful: (s) => console.log('graceful ' + s) });",
      'setInterval(() => {}, 60_000);',
      "console.log('ready');",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (out.includes(text)) resolve();
          else child.stdout.once('data', check);
        };
        check();
      });
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await waitFor('ready');
      child.kill('SIGINT');
      await waitFor('graceful SIGINT');
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
