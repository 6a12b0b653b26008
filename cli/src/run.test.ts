import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDlt645Simulator, mr60fda1Codec, serveTcpSerial, toHex } from '@anxin/devices';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';
import { captureIo } from './capture-io.js';

const capture = captureIo;

describe('anxin command line', () => {
  it('lists every command in its help, and exits 2 for an unknown one', async () => {
    const help = capture();
    expect(await run(['--help'], help.io)).toBe(0);
    for (const name of ['hub', 'gateway', 'demo', 'sim', 'decode', 'bench'])
      expect(help.out()).toContain(`  ${name}`);
    const unknown = capture();
    expect(await run(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "frobnicate"');
  });

  it('stops start-up with exit 2 and names the bad key of a config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-cli-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(file, 'http:\n  port: 99999\nmqtt:\n  prot: 1\n');
    const c = capture();
    expect(await run(['hub', '--config', file], c.io)).toBe(2);
    expect(c.err()).toMatch(/http\.port: /);
    expect(c.err()).toMatch(/mqtt\.prot: unknown key/);
  });

  it('names a bad gateway config key too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-cli-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, 'gatewayId: "bad id"\n');
    const c = capture();
    expect(await run(['gateway', '--config', file], c.io)).toBe(2);
    expect(c.err()).toMatch(/gatewayId: /);
  });

  it('rejects a usage error with exit 2 and the usage text', async () => {
    const c = capture();
    expect(await run(['hub', '--port', '1'], c.io)).toBe(2);
    expect(c.err()).toContain('Usage: anxin hub');
  });

  it('decodes a captured MR60FDA1 frame, with spaces, as JSON', async () => {
    const frame = toHex(mr60fda1Codec.encodeFrame(0x83, 0x01, [0x01]));
    const c = capture();
    expect(await run(['decode', 'mr60fda1', ...frame.split(' ')], c.io)).toBe(0);
    const result = JSON.parse(c.out()) as { ok: boolean; frame: unknown };
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result.frame)).toContain('fall');
  });

  it('explains an invalid frame and exits 1', async () => {
    const bytes = mr60fda1Codec.encodeFrame(0x83, 0x01, [0x01]);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff; // break the checksum
    const c = capture();
    expect(await run(['decode', 'mr60fda1', toHex(bytes)], c.io)).toBe(1);
    expect(JSON.parse(c.out())).toMatchObject({
      ok: false,
      code: expect.stringMatching(/CHECKSUM/),
    });
    const bad = capture();
    expect(await run(['decode', 'mr60fda1', 'zz'], bad.io)).toBe(1);
    expect(JSON.parse(bad.out())).toMatchObject({ ok: false, code: 'BAD_HEX' });
  });

  it('refuses an unknown protocol with the list of known ones', async () => {
    const c = capture();
    expect(await run(['decode', 'x10', '00'], c.io)).toBe(2);
    expect(c.err()).toContain('mr60fda1');
  });
});

describe('anxin scan', () => {
  it('finds a DL/T 645 meter behind a TCP serial server by its read-address reply', async () => {
    const meter = createDlt645Simulator({ address: '000012345678' });
    const server = await serveTcpSerial(meter, { host: '127.0.0.1', port: 0 });
    try {
      const c = capture();
      const code = await run(
        [
          'scan',
          '--port',
          `tcp://127.0.0.1:${server.port}`,
          '--protocols',
          'dlt645,modbus-sdm',
          '--modbus-ids',
          '1-2',
        ],
        c.io,
      );
      expect(code).toBe(0);
      const result = JSON.parse(c.out()) as {
        found: unknown[];
        probes: { protocol: string; outcome: string }[];
      };
      expect(result.found).toEqual([{ protocol: 'dlt645', address: '000012345678' }]);
      expect(
        result.probes.filter((p) => p.protocol === 'modbus-sdm').map((p) => p.outcome),
      ).toEqual(['no reply', 'no reply']);
    } finally {
      await server.close();
    }
  });

  it('refuses a bad option with the usage', async () => {
    const c = capture();
    expect(await run(['scan', '--port', '/dev/null', '--modbus-ids', '9-1'], c.io)).toBe(2);
    expect(c.err()).toContain('--modbus-ids');
  });
});

describe('anxin hub start-up errors', () => {
  it('says plainly that the port is taken and how to choose another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    const dir = mkdtempSync(join(tmpdir(), 'anxin-cli-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      `dataDir: ${join(dir, 'hub')}\nhttp: { port: ${taken} }\nmqtt: { port: 0 }\nlog: { level: silent }\n`,
    );
    try {
      const c = capture();
      expect(await run(['hub', '--config', file], c.io)).toBe(1);
      expect(c.err()).toContain(`127.0.0.1:${taken} is already in use`);
      expect(c.err()).toContain('ANXIN__HTTP__PORT');
      expect(c.err()).not.toContain('    at '); // no stack trace for a problem the user can fix
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('anxin hub process', () => {
  // A hub that ignores SIGTERM is killed by `docker stop` after its grace period, mid-write; it
  // must close its ports and stores and exit 0 by itself. (It once stayed alive: a second run of
  // aedes' listen() left timers that close() could not clear.)
  it('exits 0 on SIGTERM once it has closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-cli-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      `dataDir: ${join(dir, 'hub')}\nhttp: { port: 0 }\nmqtt: { port: 0 }\nlog: { level: silent }\n`,
    );
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const child = spawn(process.execPath, [main, 'hub', '--config', file], { stdio: 'pipe' });
    try {
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      for (let i = 0; i < 300 && !output.includes('anxin hub: console'); i += 1)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('anxin hub: console');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<string>((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
      ]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
