/**
 * Pinned fingerprints of `goldenModels()` on each dialect. If a change to Evolve alters one
 * of these, it changed the fv1 algorithm: that needs a new prefix (fv2), not a new value here.
 */
export const GOLDEN: Record<'sqlite' | 'postgres' | 'mysql', string> = {
  sqlite: 'fv1:c06103765ceac9bf625985478e5f1b547e286533394a37d2118372bca8f08153',
  postgres: 'fv1:3d3f387f1a193dde0a44f4e12d5ba8ed31ef12c5aa70677547d6b470ef041a41',
  mysql: 'fv1:e5ffd813d4e9882727622de419c3d7cc065e9781dca2fd93f593f6c17d8674c9',
};
