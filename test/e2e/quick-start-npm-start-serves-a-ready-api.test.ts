import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHablaProcess } from '../helpers/server-process.ts';

// The README's first command, `npm start`, runs scripts/start.sh: install what is missing, then
// serve. On a machine that already has everything it must come up ready, answer the API, and
// stop cleanly.
test('npm start (scripts/start.sh) brings up a ready Habla that answers the API', async () => {
  const habla = await startHablaProcess({}, ['bash', 'scripts/start.sh']);
  try {
    const ready = await fetch(`${habla.url}/readyz`);
    assert.equal(ready.status, 200);
    const voices = await fetch(`${habla.url}/v1/voice/?search=Spanish`, { headers: { authorization: `Bearer ${habla.adminKey}` } });
    assert.equal(voices.status, 200);
    assert.ok((await voices.json()).data.length > 0, 'espeak-ng Spanish voices are listed');
  } finally {
    assert.equal(await habla.stop(), 0);
  }
});
