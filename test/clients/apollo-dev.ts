// Apollo Client's development build checks: its warnings ("Cannot match inline fragment…",
// "Missing field…", "Cache data may be lost…") are only given when __DEV__ is set before its
// modules load (bun resolves the production build otherwise). Import this first.
(globalThis as { __DEV__?: boolean }).__DEV__ = true;
