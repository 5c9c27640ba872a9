/** How a refusal is answered over HTTP: one status table (src/http/errors.ts), used by every route. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { createChain } from '../../../src/chain/chain.ts';
import {
  blockSubsidy,
  ConsensusError,
  type NetworkParams,
  networks,
  REJECT_REASONS,
  type RejectReason,
  type Transaction,
  txid,
  txToJSON,
} from '../../../src/consensus/index.ts';
import { HTTP_CODES, HTTP_STATUS, toHttpError } from '../../../src/http/errors.ts';
import { POLICY_REASONS, PolicyError, type PolicyReason } from '../../../src/mempool/policy.ts';
import { buildServer } from '../../../src/node/http/server.ts';
import { createNode } from '../../../src/node/node.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';
import { mineOn } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';

const CONFLICTS: readonly string[] = ['txn-already-in-mempool', 'txn-already-known', 'txn-mempool-conflict'];

test('every reject reason: 400 for bad-encoding, 409 for the mempool conflicts, 422 otherwise, coded by reason', () => {
  const refusals = [
    ...(Object.keys(REJECT_REASONS) as RejectReason[]).map((r) => new ConsensusError(r, 'why')),
    ...(Object.keys(POLICY_REASONS) as PolicyReason[]).map((r) => new PolicyError(r, 'why')),
  ];
  for (const err of refusals) {
    const reason = err.code;
    const e = toHttpError(err);
    const status = reason === 'bad-encoding' ? 400 : CONFLICTS.includes(reason) ? 409 : 422;
    assert.deepEqual(
      [e.status, e.toJSON()],
      [status, { error: { code: reason, message: err.message } }],
      reason,
    );
  }
});

test('the status table holds every consensus, policy and HTTP code once, each with an error status', () => {
  const sets = [Object.keys(REJECT_REASONS), Object.keys(POLICY_REASONS), Object.keys(HTTP_CODES)];
  const all = sets.flat();
  assert.equal(new Set(all).size, all.length, 'no code is in two tables');
  assert.deepEqual(Object.keys(HTTP_STATUS).sort(), [...all].sort());
  for (const [code, status] of Object.entries(HTTP_STATUS)) {
    assert.ok(Number.isInteger(status) && status >= 400 && status < 600, `${code}: ${status}`);
  }
});

test('the table has no code nobody uses: each is written somewhere in src/ besides its own table entry', () => {
  const src = fileURLToPath(new URL('../../../src/', import.meta.url));
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const texts = new Map(files.map((f) => [f, readFileSync(join(src, f), 'utf8')]));
  const tableFile: Record<string, string> = {};
  for (const r of Object.keys(REJECT_REASONS)) tableFile[r] = join('consensus', 'errors.ts');
  for (const r of Object.keys(POLICY_REASONS)) tableFile[r] = join('mempool', 'policy.ts');
  for (const r of Object.keys(HTTP_CODES)) tableFile[r] = join('http', 'errors.ts');
  for (const [code, table] of Object.entries(tableFile)) {
    const literal = new RegExp(`'${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`, 'g');
    let uses = 0;
    for (const [file, text] of texts) {
      const n = text.match(literal)?.length ?? 0;
      // Its own table writes it once (a bare key like `coinbase:` is not quoted, so it counts nothing).
      uses += file === table ? Math.max(0, n - (text.includes(`  '${code}':`) ? 1 : 0)) : n;
    }
    assert.ok(uses > 0, `${code} (${table}) is thrown or answered nowhere`);
  }
});

test('a policy refusal over HTTP: its PolicyError code and status, the reason said once', async () => {
  const params: NetworkParams = Object.freeze({ ...networks.regtest, coinbaseMaturity: 2 });
  const NOW = 2_000_000_000;
  const alice = testKey('alice');
  const bob = testKey('bob');
  const scheduler = testScheduler();
  after(() => scheduler.close());
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const coins: Array<{ txid: string; value: bigint }> = [];
  for (let i = 0; i < 4; i++) {
    const b = mineOn(chain.tip, params, {
      payout: [{ value: blockSubsidy(chain.height + 1, params), script: alice.script }],
    });
    chain.acceptBlock(b, NOW);
    if (i < 2) coins.push({ txid: txid(b.txs[0]!), value: b.txs[0]!.outputs[0]!.value });
  }
  const node = createNode({
    params,
    chain,
    pow: scheduler.addClient({ name: 'policy' }),
    logger: silent,
    clock: () => NOW,
  });
  const app = await buildServer({ node });
  after(async () => {
    await app.close();
    await node.close();
  });
  const pay = (coin: { txid: string; value: bigint }, fee: bigint, to = bob): Transaction =>
    spendTx(
      [{ txid: coin.txid, vout: 0, coin: { value: coin.value, script: alice.script }, signer: alice }],
      [{ value: coin.value - fee, script: to.script }],
    );
  const post = async (tx: Transaction) => {
    const r = await app.inject({ method: 'POST', url: '/transactions/new', payload: txToJSON(tx) });
    return { status: r.statusCode, error: r.json<{ error?: { code: string; message: string } }>().error };
  };

  const low = await post(pay(coins[0]!, 10n));
  assert.deepEqual([low.status, low.error?.code], [422, 'min relay fee not met']);
  assert.match(
    low.error!.message,
    /^the fee is 10; this node needs at least \d+ \(1 per byte x \d+ bytes\)$/,
  );
  assert.ok(!low.error!.message.includes('min relay fee not met'), 'the message does not repeat the code');

  const good = pay(coins[0]!, 500n);
  assert.equal((await post(good)).status, 201);
  const again = await post(good);
  assert.deepEqual([again.status, again.error?.code], [409, 'txn-already-in-mempool']);
  assert.equal(again.error?.message, `transaction ${txid(good)} is already in the mempool`);
  const rival = await post(pay(coins[0]!, 600n, alice));
  assert.deepEqual([rival.status, rival.error?.code], [409, 'txn-mempool-conflict']);
  assert.equal(node.mempool.size, 1, 'the refusals changed nothing');
});
