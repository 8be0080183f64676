/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-question"

#include "config.h"

#include "haven-question.h"

/* One guided question, as data/content/questions.xml defines it: what is
 * asked, a hint (formats go there, so a screen reader reads them), why it is
 * asked and who sees the answer, and for choice questions the choices. The
 * words are untranslated msgids; the ids are what the report's answers are
 * keyed by (haven-api-v1.md), so they never change with the language. */
struct _HavenQuestion
{
  GObject parent_instance;

  char *id;
  char *title;
  char *hint;
  char *why;
  GStrv category_ids;
  GStrv choice_ids;
  GStrv choice_labels;

  HavenQuestionType type;
  gboolean sensitive;
};

G_DEFINE_FINAL_TYPE (HavenQuestion, haven_question, G_TYPE_OBJECT)

/* In the order of HavenQuestionType. */
static const char * const type_names[] = {
  "text",
  "long-text",
  "date",
  "choice",
  "multi-choice",
  "money",
  "yes-no",
  "url-list",
};

gboolean
haven_question_type_from_string (const char        *name,
                                 HavenQuestionType *type)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_str_equal (name, type_names[i]))
        {
          *type = (HavenQuestionType) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
haven_question_type_to_string (HavenQuestionType type)
{
  g_return_val_if_fail ((gsize) type < G_N_ELEMENTS (type_names), NULL);

  return type_names[type];
}

/* Whether questions of this type list their answers as <choice> elements. */
gboolean
haven_question_type_has_choices (HavenQuestionType type)
{
  return type == HAVEN_QUESTION_TYPE_CHOICE || type == HAVEN_QUESTION_TYPE_MULTI_CHOICE;
}

static void
haven_question_finalize (GObject *object)
{
  HavenQuestion *self = HAVEN_QUESTION (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->hint, g_free);
  g_clear_pointer (&self->why, g_free);
  g_clear_pointer (&self->category_ids, g_strfreev);
  g_clear_pointer (&self->choice_ids, g_strfreev);
  g_clear_pointer (&self->choice_labels, g_strfreev);

  G_OBJECT_CLASS (haven_question_parent_class)->finalize (object);
}

static void
haven_question_class_init (HavenQuestionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = haven_question_finalize;
}

static void
haven_question_init (HavenQuestion *self)
{
}

static GStrv
copy_list (const char * const *list)
{
  static const char * const empty[] = { NULL };

  return g_strdupv ((char **) (list != NULL ? list : empty));
}

/**
 * haven_question_new:
 * @hint: (nullable):
 * @why: (nullable):
 * @category_ids: the categories the question is asked for; "*" alone means
 *   every category
 * @choice_ids: (nullable): the choices' ids, as many as @choice_labels
 */
HavenQuestion *
haven_question_new (const char         *id,
                    HavenQuestionType   type,
                    const char         *title,
                    const char         *hint,
                    const char         *why,
                    const char * const *category_ids,
                    const char * const *choice_ids,
                    const char * const *choice_labels)
{
  HavenQuestion *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail ((gsize) type < G_N_ELEMENTS (type_names), NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (category_ids != NULL, NULL);
  g_return_val_if_fail ((choice_ids == NULL ? 0 : g_strv_length ((char **) choice_ids)) ==
                        (choice_labels == NULL ? 0 : g_strv_length ((char **) choice_labels)),
                        NULL);

  self = g_object_new (HAVEN_TYPE_QUESTION, NULL);
  self->id = g_strdup (id);
  self->type = type;
  self->title = g_strdup (title);
  self->hint = g_strdup (hint);
  self->why = g_strdup (why);
  self->category_ids = copy_list (category_ids);
  self->choice_ids = copy_list (choice_ids);
  self->choice_labels = copy_list (choice_labels);

  return self;
}

const char *
haven_question_get_id (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);

  return self->id;
}

HavenQuestionType
haven_question_get_answer_type (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), HAVEN_QUESTION_TYPE_TEXT);

  return self->type;
}

const char *
haven_question_get_title (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);

  return self->title;
}

/* Returns: (nullable): */
const char *
haven_question_get_hint (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);

  return self->hint;
}

/* Returns: (nullable): */
const char *
haven_question_get_why (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);

  return self->why;
}

gboolean
haven_question_applies_to (HavenQuestion *self,
                           const char    *category_id)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), FALSE);
  g_return_val_if_fail (category_id != NULL, FALSE);

  return g_strv_contains ((const char * const *) self->category_ids, "*") ||
         g_strv_contains ((const char * const *) self->category_ids, category_id);
}

/* Returns: the choices' ids in file order; empty unless the type has
 * choices. */
const char * const *
haven_question_get_choice_ids (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);

  return (const char * const *) self->choice_ids;
}

/* Returns: (nullable): the untranslated label of @choice_id, or %NULL when
 * the question has no such choice. */
const char *
haven_question_get_choice_label (HavenQuestion *self,
                                 const char    *choice_id)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), NULL);
  g_return_val_if_fail (choice_id != NULL, NULL);

  for (guint i = 0; self->choice_ids[i] != NULL; i++)
    {
      if (g_str_equal (self->choice_ids[i], choice_id))
        return self->choice_labels[i];
    }

  return NULL;
}

/**
 * haven_question_set_sensitive:
 * @sensitive: whether the question may be hard to answer: its page says
 *   first that what happened is not the visitor's fault
 */
void
haven_question_set_sensitive (HavenQuestion *self,
                              gboolean       sensitive)
{
  g_return_if_fail (HAVEN_IS_QUESTION (self));

  self->sensitive = sensitive;
}

gboolean
haven_question_is_sensitive (HavenQuestion *self)
{
  g_return_val_if_fail (HAVEN_IS_QUESTION (self), FALSE);

  return self->sensitive;
}
