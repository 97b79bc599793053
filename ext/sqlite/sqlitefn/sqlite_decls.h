/*
 * sqlite_decls.h: the handful of SQLite C API declarations the in-process
 * build calls, written here so that `go build ./cmd/custseg` needs neither
 * libsqlite3-dev nor a path into the module cache. The symbols resolve at
 * link time to the SQLite that github.com/mattn/go-sqlite3 compiles in.
 * Signatures follow sqlite3.h (public, stable C API).
 */
#ifndef CUSTSEG_SQLITE_DECLS_H
#define CUSTSEG_SQLITE_DECLS_H

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef struct sqlite3_api_routines sqlite3_api_routines;
typedef long long sqlite3_int64;
typedef void (*sqlite3_destructor_type)(void *);

#define SQLITE_OK 0
#define SQLITE_ERROR 1
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_INTEGER 1
#define SQLITE_FLOAT 2
#define SQLITE_TEXT 3
#define SQLITE_BLOB 4
#define SQLITE_NULL 5
#define SQLITE_UTF8 1
#define SQLITE_DETERMINISTIC 0x000000800
#define SQLITE_DIRECTONLY 0x000080000
#define SQLITE_INNOCUOUS 0x000200000
#define SQLITE_TRANSIENT ((sqlite3_destructor_type)-1)
#define SQLITE_STATIC ((sqlite3_destructor_type)0)

int sqlite3_create_function_v2(sqlite3 *db, const char *zFunctionName, int nArg,
	int eTextRep, void *pApp,
	void (*xFunc)(sqlite3_context *, int, sqlite3_value **),
	void (*xStep)(sqlite3_context *, int, sqlite3_value **),
	void (*xFinal)(sqlite3_context *), void (*xDestroy)(void *));
void *sqlite3_user_data(sqlite3_context *);
void *sqlite3_aggregate_context(sqlite3_context *, int nBytes);
sqlite3 *sqlite3_context_db_handle(sqlite3_context *);
void *sqlite3_get_auxdata(sqlite3_context *, int N);
void sqlite3_set_auxdata(sqlite3_context *, int N, void *, void (*)(void *));

int sqlite3_value_type(sqlite3_value *);
int sqlite3_value_numeric_type(sqlite3_value *);
sqlite3_int64 sqlite3_value_int64(sqlite3_value *);
double sqlite3_value_double(sqlite3_value *);
const unsigned char *sqlite3_value_text(sqlite3_value *);
const void *sqlite3_value_blob(sqlite3_value *);
int sqlite3_value_bytes(sqlite3_value *);

void sqlite3_result_null(sqlite3_context *);
void sqlite3_result_int64(sqlite3_context *, sqlite3_int64);
void sqlite3_result_double(sqlite3_context *, double);
void sqlite3_result_text(sqlite3_context *, const char *, int, void (*)(void *));
void sqlite3_result_error(sqlite3_context *, const char *, int);
void sqlite3_result_error_nomem(sqlite3_context *);

int sqlite3_prepare_v2(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt, const char **pzTail);
int sqlite3_bind_text(sqlite3_stmt *, int, const char *, int, void (*)(void *));
int sqlite3_bind_int64(sqlite3_stmt *, int, sqlite3_int64);
int sqlite3_step(sqlite3_stmt *);
int sqlite3_bind_null(sqlite3_stmt *, int);
int sqlite3_bind_double(sqlite3_stmt *, int, double);
int sqlite3_reset(sqlite3_stmt *pStmt);
const unsigned char *sqlite3_column_text(sqlite3_stmt *, int iCol);
int sqlite3_column_bytes(sqlite3_stmt *, int iCol);
int sqlite3_finalize(sqlite3_stmt *pStmt);
const char *sqlite3_errmsg(sqlite3 *);
void *sqlite3_malloc(int);
void sqlite3_free(void *);
char *sqlite3_mprintf(const char *, ...);

int sqlite3_auto_extension(void (*xEntryPoint)(void));
int sqlite3_is_interrupted(sqlite3 *);
int sqlite3_libversion_number(void);

#endif
