/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haven-case.h"
#include "haven-content.h"
#include "haven-key-vault.h"

G_BEGIN_DECLS

/* An opened case in plain words, in the caseworker's language, for the
 * case page and the case file: the same sections, in the same order. */

typedef struct {
  /* "reference", "what-happened", "started-on", "lost-money",
   * "other-answers", "what-you-hold", "items", "reporter", "declaration",
   * "history", "integrity". */
  const char *id;
  char *heading;
  /* Plain text, lines separated by "\n". Holds the visitor's words:
   * freeing a section wipes it. */
  char *text;
} HavenCaseSection;

void       haven_case_section_free   (HavenCaseSection *section);

/* (element-type HavenCaseSection): every section that has something to
 * say. @content gives the questions' and categories' words; @vault opens
 * the notes in the history. */
GPtrArray *haven_case_document_build (HavenCase        *opened,
                                      HavenContent     *content,
                                      HavenKeyVault    *vault);
/* "Spanish (es)": the language's name in the caseworker's language and
 * its code, for a visitor's locale. */
char      *haven_case_document_describe_language (const char *locale);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenCaseSection, haven_case_section_free)

G_END_DECLS
