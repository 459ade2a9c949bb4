// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh):
// reconciliation of the gateway's statement against the merchant's records
// (docs/protocol.md §10), in the tools module. Imports http.mjs, options.mjs.
import { bodyBytes } from './http.mjs';
import { checkKeys, entriesOf, optionsObject } from './options.mjs';

const RECONCILE_OPTIONS = ['billDate', 'kind', 'format', 'columns', 'cutoffToleranceSecs', 'stopOnError', 'expectedSha256', 'report', 'nextStatement'];
const COLUMN_OPTIONS = ['orderNo', 'amount', 'amountUnit', 'time', 'status', 'statusMap', 'tradeNo', 'tradeType'];

// options.columns as the core takes it: the column names, and statusMap as [local, gateway] pairs.
function columnsOf(columns) {
  const c = optionsObject(columns, 'reconcile columns');
  checkKeys(c, COLUMN_OPTIONS, 'options.columns');
  const { statusMap, ...names } = c;
  const mapped = { ...names };
  if (statusMap !== undefined) {
    mapped.statusMap = entriesOf(statusMap, 'options.columns.statusMap').map(([local, gateway]) => {
      if (typeof gateway !== 'string') throw new TypeError(`options.columns.statusMap[${JSON.stringify(local)}] must be a gateway status string`);
      return [local, gateway];
    });
  }
  return mapped;
}

/** reconcile over the modules of one entry point (createApi's context: `tools`). */
export function reconcileFunction({ tools }) {
  /**
   * Reconciles the gateway's statement (docs/protocol.md §10) against the merchant's
   * records: `{ summary, report, differences }`.
   */
  function reconcile(statement, records, options) {
    const module = tools.bindings();
    const statementBytes = bodyBytes(statement, 'statement');
    const recordBytes = bodyBytes(records, 'records');
    if (options === undefined) throw new TypeError("reconcile needs options: { billDate: 'YYYY-MM-DD' } at least");
    const opts = optionsObject(options, 'reconcile');
    checkKeys(opts, RECONCILE_OPTIONS, 'reconcile');
    const { nextStatement, columns, ...rest } = opts;
    const next = nextStatement === undefined ? undefined : bodyBytes(nextStatement, 'options.nextStatement');
    const mapped = columns === undefined ? undefined : columnsOf(columns);
    return JSON.parse(tools.call(() => module.reconcile(statementBytes, recordBytes, next, { ...rest, columns: mapped })));
  }
  return reconcile;
}
