// reconcile() over in-memory statements and records (docs/protocol.md §10.2 format,
// generated here), and explain() on the vectors' deliberate mistakes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';

import { PaysignError, explain, reconcile } from 'paysign';
import { readBytes, readText, secret } from './vectors.mjs';

const TX_HEADER = 'bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time';
const FUND_HEADER = 'bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time';

/** A transaction statement of 2026-11-20 with a correct `#summary` trailer. */
function txStatement(events) {
  let totalIn = 0;
  let totalOut = 0;
  const rows = events.map(([order, kind, status, total, refund, time], i) => {
    if (kind === 'PAY') totalIn += total;
    if (kind === 'REFUND') totalOut += refund;
    const fee = kind === 'PAY' ? Math.floor((total * 10 + 5000) / 10000) : 0;
    return `2026-11-20,T${String(i).padStart(18, '0')},${order},B${i},SH-WATER-01,${kind},${status},${total},${refund},${fee},2026-11-20T${time}+08:00`;
  });
  return `${TX_HEADER}\n${rows.join('\n')}\n#summary,rows=${rows.length},total_in=${totalIn},total_out=${totalOut}\n`;
}

const statement = txStatement([
  ['M20261120000001', 'PAY', 'SUCCESS', 6754, 0, '10:00:05'],
  ['M20261120000002', 'PAY', 'SUCCESS', 1959, 0, '11:00:00'],
  ['M20261120000003', 'PAY', 'SUCCESS', 500, 0, '12:00:00'],
  ['M20261120000001', 'REFUND', 'PARTIALLY_REFUNDED', 6754, 1000, '15:30:00'],
]);

const recordsCsv = [
  'order_id,amount_yuan,state,paid_at',
  'M20261120000001,67.54,PAID,2026-11-20 10:00:04',
  'M20261120000001,10.00,PART_REFUND,2026-11-20 15:30:01',
  'M20261120000003,5.01,PAID,2026-11-20 12:00:01',
  'M20261120000004,12.00,PAID,2026-11-20 23:45:00',
  'M20261120000005,3.00,PAID,2026-11-20 14:00:00',
  '',
].join('\n');

const columns = {
  orderNo: 'order_id',
  amount: 'amount_yuan',
  amountUnit: 'yuan',
  time: 'paid_at',
  status: 'state',
  statusMap: { PAID: 'SUCCESS', PART_REFUND: 'PARTIALLY_REFUNDED' },
};

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    return e instanceof PaysignError ? e.code : `${e.name}: ${e.message}`;
  }
  return 'NO ERROR';
}

describe('reconcile', () => {
  it('classifies every row: matched, 掉单, amount mismatch, cutoff pending, missing in statement', () => {
    const out = reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns });
    const counts = Object.fromEntries(Object.entries(out.report.classes).map(([k, v]) => [k, v.count]));
    assert.deepEqual(counts, {
      MATCHED: 2,
      CUTOFF_PENDING: 1,
      CUTOFF_MATCHED: 0,
      MISSING_LOCALLY: 1,
      MISSING_IN_STATEMENT: 1,
      STATUS_MISMATCH: 0,
      AMOUNT_MISMATCH: 1,
    });
    assert.equal(out.report.kind, 'TRANSACTION');
    assert.equal(out.report.bill_date, '2026-11-20');
    assert.deepEqual(out.report.statement, { rows: 4, total_in: 9213, total_out: 1000 });
    assert.equal(out.report.record_rows, 5);
    assert.equal(out.report.discrepancies, 3);
    assert.equal(out.report.clean, false);
    assert.equal(out.report.balance.position, 'LONG');
    // The human summary and the machine differences.
    assert.match(out.summary, /^Reconciliation \(对账\) of the TRANSACTION statement of 2026-11-20/);
    assert.match(out.summary, /MISSING_LOCALLY \(掉单\) +1/);
    const lines = out.differences.trim().split('\n');
    assert.equal(lines[0], 'class,order_no,trade_no,trade_type,statement_amount,local_amount,statement_status,local_status,statement_time,local_time,statement_file,statement_line,local_line');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(' ')).sort(), [
      'AMOUNT_MISMATCH M20261120000003',
      'CUTOFF_PENDING M20261120000004',
      'MISSING_IN_STATEMENT M20261120000005',
      'MISSING_LOCALLY M20261120000002',
    ]);
  });

  it('JSON-lines records and JSON-lines differences; bytes work like text', () => {
    const jsonl = [
      { order_id: 'M20261120000001', amount_yuan: 67.54, state: 'PAID', paid_at: '2026-11-20 10:00:04' },
      { order_id: 'M20261120000001', amount_yuan: '10.00', state: 'PART_REFUND', paid_at: '2026-11-20 15:30:01' },
      { order_id: 'M20261120000002', amount_yuan: '19.59', state: 'PAID', paid_at: '2026-11-20 11:00:00' },
      { order_id: 'M20261120000003', amount_yuan: '5.00', state: 'PAID', paid_at: '2026-11-20 12:00:01' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const out = reconcile(new TextEncoder().encode(statement), Buffer.from(jsonl), { billDate: '2026-11-20', format: 'jsonl', report: 'jsonl', columns });
    assert.equal(out.report.clean, true, out.summary);
    assert.equal(out.report.classes.MATCHED.count, 4);
    assert.equal(out.differences, '');
    assert.match(out.summary, /Result: /);
  });

  it('the identity mapping (statement column names, fen) needs no columns option', () => {
    const records = `out_trade_no,amount,trade_time,trade_status,trade_no,trade_type\nM20261120000001,6754,2026-11-20T10:00:05+08:00,SUCCESS,T1,PAY\n`;
    const out = reconcile(statement, records, { billDate: '2026-11-20', report: 'jsonl' });
    assert.equal(out.report.classes.MATCHED.count, 1);
    const differences = out.differences.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(differences.every((d) => typeof d.class === 'string' && 'statement_amount' in d));
  });

  it('a fund statement', () => {
    const fund = `${FUND_HEADER}\n2026-11-20,F1,T1,M20261120000001,IN,6747,6747,2026-11-20T10:00:05+08:00\n#summary,rows=1,total_in=6747,total_out=0\n`;
    const records = 'order_id,net_fen,booked\nM20261120000001,6747,2026-11-20 10:00:05\n';
    const out = reconcile(fund, records, { billDate: '2026-11-20', kind: 'FUND', columns: { orderNo: 'order_id', amount: 'net_fen', amountUnit: 'fen', time: 'booked' } });
    assert.equal(out.report.kind, 'FUND');
    assert.equal(out.report.clean, true, out.summary);
  });

  it('a collection and payout statement (代收付): deductions in, payouts out, a trade type column required', () => {
    const header = 'bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time';
    const collection = [
      header,
      '2026-11-20,D202611200000000001,DD-2026-0001,A202611200000000001,DEDUCTION,SUCCESS,50000,50,2026-11-20T12:00:00+08:00',
      '2026-11-20,D202611200000000002,DD-2026-0002,A202611200000000001,DEDUCTION,SUCCESS,30000,30,2026-11-20T18:00:00+08:00',
      '2026-11-20,P202611200000000001,PO-2026-0001,,PAYOUT,SUCCESS,100000,100,2026-11-20T12:05:00+08:00',
      '#summary,rows=3,total_in=80000,total_out=100000',
      '',
    ].join('\n');
    const records = [
      'no,kind,state,yuan,at',
      'DD-2026-0001,DEDUCTION,OK,500.00,2026-11-20 12:00:01',
      'DD-2026-0002,DEDUCTION,FAILED,300.00,2026-11-20 18:00:01',
      'PO-2026-0001,PAYOUT,OK,1000.00,2026-11-20 12:05:01',
      '',
    ].join('\n');
    const collectionColumns = { orderNo: 'no', amount: 'yuan', amountUnit: 'yuan', time: 'at', status: 'state', statusMap: { OK: 'SUCCESS', FAILED: 'FAIL' }, tradeType: 'kind' };
    const out = reconcile(collection, records, { billDate: '2026-11-20', kind: 'COLLECTION', columns: collectionColumns, report: 'jsonl' });
    assert.equal(out.report.kind, 'COLLECTION');
    assert.deepEqual(out.report.statement, { rows: 3, total_in: 80000, total_out: 100000 });
    assert.equal(out.report.classes.MATCHED.count, 2);
    const [mismatch] = out.differences.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(mismatch.class, 'STATUS_MISMATCH');
    assert.equal(mismatch.order_no, 'DD-2026-0002');
    assert.equal(mismatch.trade_type, 'DEDUCTION');
    assert.match(out.summary, /Statement DEDUCTION − PAYOUT/);
    // Without the trade type column a deduction and a payout cannot be told apart.
    const { tradeType, ...withoutType } = collectionColumns;
    assert.equal(tradeType, 'kind');
    let error;
    try {
      reconcile(collection, records, { billDate: '2026-11-20', kind: 'COLLECTION', columns: withoutType });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof PaysignError, String(error));
    assert.equal(error.code, 'FIELD_INVALID');
    assert.match(error.message, /columns\.tradeType/);
    assert.equal(codeOf(() => reconcile(collection, records, { billDate: '2026-11-20', kind: 'PAYOUTS' })), 'FIELD_INVALID');
  });

  it('the SHA-256 of the signed statement.download response is checked', () => {
    const sha256 = crypto.createHash('sha256').update(statement).digest('hex');
    assert.equal(reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns, expectedSha256: sha256 }).report.statement.rows, 4);
    assert.equal(codeOf(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns, expectedSha256: '0'.repeat(64) })), 'BODY_MALFORMED');
  });

  it('cutoff events are matched against the next day’s statement', () => {
    const next = txStatement([['M20261120000004', 'PAY', 'SUCCESS', 1200, 0, '23:45:01']]).replaceAll('2026-11-20', '2026-11-21').replace('2026-11-21T23:45:01', '2026-11-20T23:45:01');
    const out = reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns, nextStatement: next });
    assert.equal(out.report.classes.CUTOFF_PENDING.count, 0);
    assert.equal(out.report.classes.CUTOFF_MATCHED.count, 1);
    assert.deepEqual(out.report.next_statement, { rows: 1, total_in: 1200, total_out: 0 });
  });

  it('a refused statement and malformed rows', () => {
    const truncated = statement.split('\n').slice(0, -2).join('\n');
    assert.equal(codeOf(() => reconcile(truncated, recordsCsv, { billDate: '2026-11-20', columns })), 'BODY_MALFORMED');
    assert.equal(codeOf(() => reconcile(statement, recordsCsv, { billDate: '2026-11-21', columns })), 'BODY_MALFORMED');
    const badRow = `${recordsCsv}M20261120000006,1.234,PAID,2026-11-20 16:00:00\n`;
    const out = reconcile(statement, badRow, { billDate: '2026-11-20', columns });
    assert.equal(out.report.row_error_count, 1);
    assert.equal(out.report.row_errors[0].source, 'records');
    assert.equal(codeOf(() => reconcile(statement, badRow, { billDate: '2026-11-20', columns, stopOnError: true })), 'BODY_MALFORMED');
  });

  it('option errors: TypeError for types and names, FIELD_INVALID for values', () => {
    assert.throws(() => reconcile(statement, recordsCsv), TypeError);
    assert.throws(() => reconcile(statement, recordsCsv, {}), /billDate/);
    assert.throws(() => reconcile(statement, recordsCsv, { billDate: 20261120 }), TypeError);
    assert.throws(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', colums: columns }), /unknown option "colums"/);
    assert.throws(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns: { ...columns, amountUnit: undefined } }), /amountUnit/);
    assert.throws(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns: { ...columns, orderno: 'x' } }), TypeError);
    assert.throws(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', cutoffToleranceSecs: -5 }), TypeError);
    assert.throws(() => reconcile({ rows: [] }, recordsCsv, { billDate: '2026-11-20' }), TypeError);
    assert.equal(codeOf(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', kind: 'DAILY' })), 'FIELD_INVALID');
    assert.equal(codeOf(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', format: 'xlsx' })), 'FIELD_INVALID');
    assert.equal(codeOf(() => reconcile(statement, recordsCsv, { billDate: '2026-11-20', columns: { ...columns, amountUnit: 'jiao' } })), 'FIELD_INVALID');
  });
});

describe('explain', () => {
  const gateway = readText('keys/gateway_public_spki.pem');
  // The vectors' clock: explain checks the time as the verifier does.
  const now = 1795190410;

  it('a valid notification verifies, with the canonical string and the key that verified', () => {
    const d = explain(readBytes('notify_paysign_form/body.bin'), { publicKey: gateway, now });
    assert.equal(d.verified, true);
    assert.equal(d.signType, 'RSA2');
    assert.equal(d.matchingKey, 'publicKey');
    assert.match(d.canonical, /^app_id=2026000000000001&bill_no=/);
    assert.deepEqual(d.findings, []);
  });

  for (const [vector, profile, code] of [
    ['fail_notify_alipay_signed_sign_type', 'alipay', 'SIGN_TYPE_SIGNED'],
    ['fail_notify_double_encoded', 'paysign', 'DOUBLE_ENCODED'],
    ['fail_notify_trailing_crlf', 'paysign', 'WHITESPACE'],
  ]) {
    it(`${vector}: ${code}`, () => {
      const d = explain(readBytes(`${vector}/body.bin`), { profile, signTypes: ['RSA2'], publicKeys: { gateway }, now });
      assert.equal(d.verified, false);
      assert.deepEqual(
        d.findings.map((f) => f.code),
        [code],
      );
      assert.ok(d.findings[0].message.length > 20);
    });
  }

  it('names the key that signed among labelled candidates', () => {
    const d = explain(readBytes('notify_paysign_form/body.bin'), {
      now,
      publicKeys: { merchant: readText('keys/merchant_public_spki.pem'), gateway },
    });
    assert.equal(d.matchingKey, 'gateway');
  });

  it('header-signed profiles take the headers', () => {
    const request = JSON.parse(readText('platforms/notify_standard_webhooks_published/request.json'));
    const body = readBytes('platforms/notify_standard_webhooks_published/body.bin');
    const whsec = readText('platforms/keys/whsec_published.txt').trim();
    const ok = explain(body, { profile: 'standard-webhooks', secret: whsec, headers: request.headers, now: request.now });
    assert.equal(ok.verified, true);
    const missing = explain(body, { profile: 'standard-webhooks', secret: whsec });
    assert.equal(missing.verified, false);
    assert.ok(missing.findings.length > 0);
    assert.ok(missing.findings.every((f) => /^[A-Z_]+$/.test(f.code)));
    // What to pass, in this package's words.
    assert.match(missing.findings[0].message, /pass each signature header \(webhook-id, webhook-timestamp, webhook-signature\) with `headers`$/);
  });

  it('a private key given to verify with is named KEY_KIND_MISMATCH, never verified', () => {
    const body = readBytes('notify_paysign_form/body.bin');
    const d = explain(body, { publicKey: readText('keys/gateway_private_pkcs8.pem'), now });
    assert.equal(d.verified, false);
    assert.deepEqual(d.findings.map((f) => f.code), ['KEY_KIND_MISMATCH']);
    assert.match(d.findings[0].message, /is a private key, which every verifier refuses/);
  });

  it('a digest secret, and option errors', () => {
    const d = explain(readBytes('notify_wechat_xml_md5/body.bin'), { profile: 'wechat-v2', secret: secret('secret'), contentType: 'text/xml' });
    assert.equal(d.verified, true);
    assert.equal(d.signType, 'MD5');
    assert.throws(() => explain('a=1'), TypeError);
    assert.throws(() => explain('a=1', { publicKey: gateway, secret: 'k' }), TypeError);
    assert.throws(() => explain('a=1', { publickey: gateway }), /unknown option/);
    assert.equal(codeOf(() => explain('a=1', {})), 'CREDENTIAL_MISMATCH');
    // No sign types: the profile's default for the credential (the core's policy), so a
    // paysign secret means HMAC-SHA256 and a key wechat-v2 cannot take is named.
    const hmac = explain('a=1&sign_type=HMAC-SHA256&sign=00', { profile: 'paysign', secret: 'k' });
    assert.equal(hmac.signType, 'HMAC-SHA256');
    const v2 = explain('a=1&sign=00', { profile: 'wechat-v2', publicKey: gateway });
    assert.equal(v2.verified, false);
    assert.deepEqual(v2.findings.map((f) => f.code), ['CREDENTIAL_MISMATCH']);
    assert.match(v2.findings[0].message, /no sign type for an RSA key: pass a shared secret \(MD5, HMAC-SHA256\)/);
    assert.equal(codeOf(() => explain('a=1', { profile: 'nope', secret: 'k' })), 'UNSUPPORTED_PROFILE');
  });
});
