// A verified notification in expect.json's vocabulary, for every suite that checks the
// notification vectors: the Node suites (through tests/node/vectors.mjs) and the runtime
// suite (tests/runtimes/suite.mjs), which runs where there is no node:fs, so this module
// imports nothing.

/** The fields of `like` (an expect.json `notification`), read from a verified notification. */
export function asExpected(n, like) {
  const all = {
    notify_id: n.notifyId,
    app_id: n.appId,
    out_trade_no: n.outTradeNo,
    trade_no: n.tradeNo,
    bill_no: n.billNo,
    status: n.status,
    total_amount: n.totalAmount,
    refund_amount: n.refundAmount,
    notify_time: n.notifyTime,
    sign_type: n.signType,
    event_type: n.eventType,
    payload: n.payload,
    passback_params: n.params.passback_params ?? null,
  };
  return Object.fromEntries(Object.keys(like).map((k) => [k, all[k]]));
}
