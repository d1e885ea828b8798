import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ADMIN_TOKEN, booking, serverForEachTest } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** A GET with the given Accept-Encoding, answered raw (fetch would undo the compression and hide it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compressed answers', function () {
  this.timeout(30_000);
  let server: TestServer;
  serverForEachTest('sqlite', (x) => (server = x));
  const s = () => server;

  it('JSON and the citizen pages are gzipped for a client that accepts it, and plain for one that does not', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const url = `${s().url}/api/v1/slots?from=2026-12-01&to=2026-12-31&duration=30`;
    const gz = await rawGet(url, { ...auth, 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const plain = await rawGet(url, auth);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')));
    assert.ok(gz.body.length * 4 < plain.body.length, `a month of slots shrinks (${gz.body.length} of ${plain.body.length} bytes)`);
    const start = await rawGet(`${s().url}/`, { 'accept-encoding': 'gzip' });
    assert.equal(start.headers['content-encoding'], 'gzip');
    const browser = await rawGet(url, { ...auth, 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(browser.headers['content-encoding'], 'gzip', 'gzip even where brotli is offered (it keeps the server small)');
    assert.equal((await rawGet(url, { ...auth, 'accept-encoding': 'br' })).headers['content-encoding'], undefined);
  });

  it('pages with a session’s CSRF token and the live streams are never compressed', async () => {
    const login = await rawGet(`${s().url}/admin/login`, { 'accept-encoding': 'gzip, br' });
    assert.equal(login.status, 200);
    assert.equal(login.headers['content-encoding'], undefined, 'no secret compressed beside reflected text (BREACH)');
    await s().call('POST', '/api/v1/consultations', booking());
    await s().running.worker.idle();
    const id = (await s().call('GET', '/api/v1/consultations?from=2026-12-01&to=2026-12-01')).body.consultations[0].id as string;
    const { linkKey, signLink } = await import('../core/links.ts');
    const token = signLink(await linkKey(s().running.store.db, s().config.secretKey), id, Date.parse('2026-12-02T00:00:00Z'));
    const events = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(`${s().url}/app/c/${token}/events`, { headers: { 'accept-encoding': 'gzip' } }, resolve);
      req.on('error', reject);
    });
    assert.equal(events.headers['content-type']?.startsWith('text/event-stream'), true);
    assert.equal(events.headers['content-encoding'], undefined);
    let said = '';
    await new Promise<void>((resolve) =>
      events.on('data', (c: Buffer) => {
        said += c.toString('utf8');
        if (said.includes('data: ')) resolve();
      }),
    );
    assert.match(said, /^retry: 3000\n\nevent: state\ndata: /, 'the stream arrives as written, at once');
    events.destroy();
  });
});
