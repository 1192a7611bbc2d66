#ifndef TDF_CSQLITE_SHIM_H
#define TDF_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
