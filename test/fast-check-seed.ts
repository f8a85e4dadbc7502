// Property tests explore the same cases on every run, so a failure reproduces; set FC_SEED to
// explore others (fast-check prints the seed and path of any counterexample).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env['FC_SEED'] ?? 20_261_125) });
