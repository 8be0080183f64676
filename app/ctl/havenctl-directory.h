/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "havenctl-common.h"

G_BEGIN_DECLS

void havenctl_directory_print_warnings (const char * const *warnings,
                                        guint               n_warnings);

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
