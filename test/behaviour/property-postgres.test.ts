/** The property test (test/support/property.ts) on PostgreSQL: one file per dialect, so the four run in parallel. */
import { propertySuite } from '../support/property.js';

propertySuite('postgres');
