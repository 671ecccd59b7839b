/** The benchmark scripts `run-all.mjs` runs, in order (file names in bench/). */
export declare const BENCHES: readonly string[];
