/**
 * The installers of the fixture SQL files that hold placeholders: each turns the text as
 * published into the text its installer loads (see the fixture's SOURCE.md).
 */

/** PrestaShop's installer's substitution of the placeholders of its db_structure.sql (see its SOURCE.md). */
export const prestashopInstaller = (text: string): string =>
  text.replaceAll('PREFIX_', 'ps_').replaceAll('ENGINE_TYPE', 'InnoDB').replaceAll('COLLATION', '');
