/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-content-reader.h"

G_BEGIN_DECLS

void haven_content_item_clear    (Item            *item);
void haven_content_start_element (FileReader      *reader,
                                  const Location  *at,
                                  const char      *element,
                                  const char      *parent,
                                  guint            depth,
                                  const char     **names,
                                  const char     **values);
void haven_content_end_element   (FileReader      *reader,
                                  const char      *element,
                                  const char      *parent,
                                  guint            depth);

G_END_DECLS
