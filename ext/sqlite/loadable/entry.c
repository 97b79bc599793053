//go:build custseg_loadable

/* The entry point `.load .../custseg` looks for. It forwards to the
 * custseg_init of ext/sqlite/sqlitefn, the function the in-process build
 * hands to sqlite3_auto_extension. The only symbol the .so exports on
 * purpose. */
struct sqlite3;
struct sqlite3_api_routines;
int custseg_init(struct sqlite3 *db, char **pzErrMsg, const struct sqlite3_api_routines *pApi);

__attribute__((visibility("default")))
int sqlite3_custseg_init(struct sqlite3 *db, char **pzErrMsg, const struct sqlite3_api_routines *pApi) {
	return custseg_init(db, pzErrMsg, pApi);
}
