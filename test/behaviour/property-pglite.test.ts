/** The property test (test/support/property.ts) on PGlite: one file per dialect, so the four run in parallel. */
import { propertySuite } from '../support/property.js';

propertySuite('pglite');
