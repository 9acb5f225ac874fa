/** The property test (test/support/property.ts) on MySQL/MariaDB: one file per dialect, so the four run in parallel. */
import { propertySuite } from '../support/property.js';

propertySuite('mysql');
