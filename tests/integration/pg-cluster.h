/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A throwaway PostgreSQL cluster for a test: in a temporary folder, on
 * 127.0.0.1 and a free port, run as the postgres user when the test runs
 * as root (PostgreSQL refuses root), with one database made for the test.
 * It can be restarted as a crash would (stop -m immediate, then start on
 * the same port and data), and is deleted when stopped. */

typedef struct _PgCluster PgCluster;

/* The folder of Debian's PostgreSQL programs (initdb, pg_ctl), newest
 * version first; NULL when PostgreSQL is not installed. */
char       *pg_cluster_find_bindir (void);
PgCluster  *pg_cluster_start       (void);
/* "postgresql://postgres@127.0.0.1:PORT/haven" */
const char *pg_cluster_get_uri     (PgCluster *cluster);
void        pg_cluster_restart     (PgCluster *cluster);
/* The two halves of a restart, for a test that acts while it is down. */
void        pg_cluster_halt        (PgCluster *cluster);
void        pg_cluster_resume      (PgCluster *cluster);
/* Stops the server at once and deletes everything; @cluster is freed. */
void        pg_cluster_stop        (PgCluster *cluster);

G_END_DECLS
