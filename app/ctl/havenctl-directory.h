/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* havenctl.c's command table entry; only its pointer is passed here. */
typedef struct _Command Command;

int havenctl_directory_import (const Command  *command,
                               int             argc,
                               char          **argv);
int havenctl_directory_search (const Command  *command,
                               int             argc,
                               char          **argv);
int havenctl_directory_stats  (const Command  *command,
                               int             argc,
                               char          **argv);

G_END_DECLS
