// paysign's typings, types/amounts.d.ts (layout: index.d.ts): yuan and fen
// (api/amounts.mjs).

/** Yuan text (`'12.34'`, at most two decimals) to integer fen, exactly: `1234`. */
export declare function parseYuan(yuan: string): number;

/** Integer fen to yuan text with two decimals: `1234` → `'12.34'`. */
export declare function formatYuan(fen: number): string;
