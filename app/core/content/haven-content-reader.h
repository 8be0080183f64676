/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-content.h"

G_BEGIN_DECLS

/* What reading a content folder shares between the reading of its files
 * (haven-content-reader.c) and the checks of their elements
 * (haven-content-elements.c). Nothing outside the content's files uses
 * it. */

/* The files in the order they are read: each refers only to files read
 * before it, so references are checked as they are met. */
typedef enum {
  FILE_GUIDANCE,
  FILE_CATEGORIES,
  FILE_QUESTIONS,
  FILE_EMERGENCY,
  N_FILES,
} FileKind;

/* One load of a folder. */
typedef struct {
  const char *dir;
  const char * const *known_terms;
  /* (element-type GError) */
  GPtrArray *problems;
  HavenContent *content;
  GChecksum *checksum;
  /* Per FileKind: id -> the line it was defined on, as a pointer. */
  GHashTable *ids[N_FILES];
  /* Per FileKind: whether the file was read to its end. References into a
   * file that could not be read are not checked, which would only repeat
   * its problem once per reference. */
  gboolean complete[N_FILES];
} Loader;

typedef struct {
  int line;
  int column;
} Location;

/* The <category>, <guidance>, <question> or <region> being read, and the
 * <choice>, <number> or <link> inside it. */
typedef struct {
  Location at;
  /* A problem was reported inside it: it is not added. */
  gboolean broken;

  char *id;
  char *title;
  char *summary;
  char *hint;
  char *why;
  /* Examples of a category, steps of guidance. */
  GPtrArray *texts;
  GPtrArray *terms;
  GPtrArray *guidance_ids;
  gboolean removable;
  gboolean about_child;
  /* A question that may be hard to answer. */
  gboolean sensitive;
  gboolean has_type;
  HavenQuestionType type;
  GStrv category_ids;
  GPtrArray *choice_ids;
  GPtrArray *choice_labels;
  HavenEmergencyRegion *region;
  gboolean has_entries;

  Location entry_at;
  gboolean entry_broken;
  /* The choice's id, or the number's or link's kind. */
  char *entry_name;
  /* The number, or the link's address. */
  char *entry_target;
  /* The name of the service a link goes to, never translated. */
  char *entry_service;
  char *entry_label;
} Item;

typedef struct {
  Loader *loader;
  FileKind kind;
  char *path;
  const char *text;
  gsize length;
  /* Offsets of the line feeds, to turn GMarkup's positions into lines and
   * columns. */
  GArray *line_feeds;
  GMarkupParseContext *context;

  /* How many elements are open, kept here: GMarkup's element stack is a
   * list, and counting it for every element made deep nesting quadratic. */
  guint depth;
  /* How many elements are open inside one that was rejected; their
   * contents are skipped. */
  guint skip_depth;
  gboolean seen_root;
  Location root_at;

  /* The element whose words are being read, if any. */
  char *words_element;
  Location words_at;
  GString *words;

  Item item;
} FileReader;


void  haven_content_report          (FileReader         *reader,
                                     const Location     *at,
                                     HavenContentError   code,
                                     const char         *format,
                                     ...) G_GNUC_PRINTF (4, 5);
char *haven_content_normalize_words (const char         *text);
void  haven_content_read_dir        (HavenContent       *content,
                                     const char         *dir,
                                     const char * const *known_terms,
                                     GPtrArray          *problems,
                                     GChecksum          *checksum);

G_END_DECLS
