/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "havenctl-common.h"

G_BEGIN_DECLS

int havenctl_content_check (const Command  *command,
                            int             argc,
                            char          **argv);

G_END_DECLS
