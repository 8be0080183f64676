/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-notice"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haven-case-document.h"
#include "haven-notice.h"
#include "haven-wipe.h"
#include "haven-wiped-text.h"

/* A notice is made of a case's words (addresses, what each shows) and the
 * caseworker's (the explanation), and it is exported in four forms that
 * must say the same things: so the forms are all made from one place,
 * haven_notice_build_sections() for the text and dup_package_json() for
 * the data, and each refuses a notice haven_notice_check() refuses.
 *
 * The limits below are those of data/api/haven-notice-package-v1.md. */

#define MAX_ITEMS_PER_NOTICE 20
#define MAX_EXPLANATION_CHARS 5000
#define MAX_WHAT_IT_SHOWS_CHARS 1000
#define MAX_NAME_CHARS 200
#define MAX_EMAIL_BYTES 254
#define MAX_URL_BYTES 2048
#define CSAM_CATEGORY "child-abuse-material"
#define UNLISTED_RECIPIENT "unlisted"

G_DEFINE_QUARK (haven-notice-error-quark, haven_notice_error)

typedef struct {
  guint  index;         /* in the request's items */
  char  *url;
  char  *what_it_shows;
  const char *content_type;
} Item;

struct _HavenNotice
{
  GObject parent_instance;

  char *notice_id;
  char *created_at;
  char *case_reference;
  char *language;
  gboolean child_abuse_material;

  char *recipient_kind;
  char *recipient_id;
  char *recipient_name;
  char *recipient_entity;
  const char *channel_kind;
  char *channel_address;
  char *guidance;
  char *hosting_provider;
  char *hosting_provider_name;

  const char *source_type;
  char *haven_category;
  char *statement_category;
  GArray *articles;             /* guint */
  GStrv offered_keywords;
  GHashTable *chosen_keywords;  /* keyword -> itself */
  HavenNoticeCrosswalk *crosswalk;  /* for the articles' titles */

  GArray *items;                /* Item */

  char *explanation;
  HavenNoticeNotifier notifier;
  char *organisation_name;
  char *organisation_email;
  char *person_name;
  char *person_email;
  gboolean confirmed;
};

G_DEFINE_FINAL_TYPE (HavenNotice, haven_notice, G_TYPE_OBJECT)

static void
item_clear (gpointer data)
{
  Item *item = data;

  haven_wipe_clear_string (&item->url);
  haven_wipe_clear_string (&item->what_it_shows);
}

void
haven_notice_wipe (HavenNotice *self)
{
  g_return_if_fail (HAVEN_IS_NOTICE (self));

  g_array_set_size (self->items, 0);
  haven_wipe_clear_string (&self->explanation);
  haven_wipe_clear_string (&self->person_name);
  haven_wipe_clear_string (&self->person_email);
  self->confirmed = FALSE;
}

static void
haven_notice_finalize (GObject *object)
{
  HavenNotice *self = HAVEN_NOTICE (object);

  haven_notice_wipe (self);
  g_array_unref (self->items);
  g_free (self->notice_id);
  g_free (self->created_at);
  g_free (self->case_reference);
  g_free (self->language);
  g_free (self->recipient_kind);
  g_free (self->recipient_id);
  g_free (self->recipient_name);
  g_free (self->recipient_entity);
  g_free (self->channel_address);
  g_free (self->guidance);
  g_free (self->hosting_provider);
  g_free (self->hosting_provider_name);
  g_free (self->haven_category);
  g_free (self->statement_category);
  g_array_unref (self->articles);
  g_strfreev (self->offered_keywords);
  g_hash_table_unref (self->chosen_keywords);
  g_clear_object (&self->crosswalk);
  g_free (self->organisation_name);
  g_free (self->organisation_email);

  G_OBJECT_CLASS (haven_notice_parent_class)->finalize (object);
}

static void
haven_notice_class_init (HavenNoticeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_notice_finalize;
}

static void
haven_notice_init (HavenNotice *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->items, item_clear);
  self->articles = g_array_new (FALSE, FALSE, sizeof (guint));
  self->chosen_keywords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The language the caseworker reads, which the notice is written in, as
 * a BCP 47 tag: "fr_FR.UTF-8" is "fr-FR", the C locale English. */
static char *
dup_notice_language (void)
{
  const char *name = g_get_language_names ()[0];
  g_autofree char *tag = NULL;
  char *cut;

  if (name == NULL || g_str_equal (name, "C") || g_str_has_prefix (name, "C.") ||
      g_str_equal (name, "POSIX"))
    return g_strdup ("en");

  tag = g_strdup (name);
  cut = strpbrk (tag, ".@");
  if (cut != NULL)
    *cut = '\0';
  g_strdelimit (tag, "_", '-');
  if (!g_regex_match_simple ("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", tag, 0, 0))
    return g_strdup ("en");
  return g_steal_pointer (&tag);
}

/* The Transparency Database's content types, guessed from the address:
 * a file's extension, or a platform that serves videos only. The
 * caseworker sees the guess in the notice before it goes. */
static const char *
guess_content_type (const char *url,
                    const char *platform_id)
{
  static const char * const images[] = { "jpg", "jpeg", "png", "gif", "webp", "heic", "bmp", NULL };
  static const char * const videos[] = { "mp4", "mov", "webm", "mkv", "avi", "m4v", NULL };
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *path;
  const char *dot;

  if (g_strcmp0 (platform_id, "youtube") == 0 || g_strcmp0 (platform_id, "tiktok") == 0)
    return "CONTENT_TYPE_VIDEO";
  if (uri == NULL)
    return "CONTENT_TYPE_OTHER";

  path = g_uri_get_path (uri);
  dot = strrchr (path, '.');
  if (dot != NULL && strchr (dot, '/') == NULL)
    {
      g_autofree char *extension = g_ascii_strdown (dot + 1, -1);

      if (g_strv_contains (images, extension))
        return "CONTENT_TYPE_IMAGE";
      if (g_strv_contains (videos, extension))
        return "CONTENT_TYPE_VIDEO";
    }
  return "CONTENT_TYPE_OTHER";
}

/* The provider an address belongs to: the table's platform id, or its
 * host in lower-case ASCII (an IDN in its xn-- form) for a host the
 * table lacks. NULL for an address without a host. */
static char *
dup_hosting_provider (HavenNoticePlatforms *platforms,
                      const char           *url,
                      const char          **platform_id)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *ascii = NULL;
  const char *host;
  gsize length;

  *platform_id = haven_notice_platforms_lookup_url (platforms, url);
  if (*platform_id != NULL)
    return g_strdup (*platform_id);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || host[0] == '\0')
    return NULL;

  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    return NULL;
  length = strlen (ascii);
  if (length > 0 && ascii[length - 1] == '.')
    ascii[length - 1] = '\0';
  if (!g_regex_match_simple ("^[a-z0-9][a-z0-9.-]{0,252}$", ascii, G_REGEX_CASELESS, 0))
    return NULL;
  return g_ascii_strdown (ascii, -1);
}

char *
haven_notice_dup_hosting_provider (HavenNoticePlatforms *platforms,
                                   const char           *url)
{
  const char *platform_id = NULL;

  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (platforms), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return dup_hosting_provider (platforms, url, &platform_id);
}

/* Art. 16(2)(a), prefilled: a sentence the caseworker completes. */
static const char *
default_explanation (const char *category)
{
  if (g_strcmp0 (category, "intimate-images") == 0)
    return _("The images at these addresses show the person we support in an intimate way. "
             "They were published without that person’s consent.");
  if (g_strcmp0 (category, CSAM_CATEGORY) == 0)
    return _("A visitor reported that these addresses show sexual images of a child. "
             "No one at our organisation has opened them.");
  if (g_strcmp0 (category, "impersonation") == 0)
    return _("The accounts or pages at these addresses pretend to be the person we support, "
             "without that person’s consent.");
  if (g_strcmp0 (category, "harassment") == 0)
    return _("The posts at these addresses threaten and harass the person we support.");
  if (g_strcmp0 (category, "fraud") == 0)
    return _("The pages at these addresses are used to deceive people and take their money.");
  if (g_strcmp0 (category, "account-takeover") == 0)
    return _("The account at these addresses was taken from the person we support without "
             "their consent and is used by someone else.");
  if (g_strcmp0 (category, "malware") == 0)
    return _("These addresses spread software made to harm people’s devices or steal their data.");
  return _("The content at these addresses harms the person we support.");
}

static HavenNotice *
notice_new (HavenRequest               *request,
            const char                 *category,
            gboolean                    child_abuse_material,
            HavenNoticeCrosswalk       *crosswalk,
            const HavenNoticeSettings  *settings,
            const char                 *language)
{
  HavenNotice *self = g_object_new (HAVEN_TYPE_NOTICE, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const guint *articles;
  gsize n_articles = 0;
  const char * const *keywords;

  self->notice_id = g_uuid_string_random ();
  self->created_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  self->case_reference = g_strdup (haven_request_get_request_id (request));
  self->language = g_strdup (language);
  self->child_abuse_material = child_abuse_material;
  self->source_type = settings->trusted_flagger ? "SOURCE_TRUSTED_FLAGGER" : "SOURCE_ARTICLE_16";
  self->haven_category = g_strdup (category);
  self->crosswalk = g_object_ref (crosswalk);
  self->statement_category = g_strdup (haven_notice_crosswalk_get_statement_category (crosswalk,
                                                                                      category));
  articles = haven_notice_crosswalk_get_convention_articles (crosswalk, category, &n_articles);
  if (n_articles > 0)
    g_array_append_vals (self->articles, articles, (guint) n_articles);
  keywords = haven_notice_crosswalk_get_keywords (crosswalk, category);
  self->offered_keywords = g_strdupv ((GStrv) keywords);
  if (self->offered_keywords != NULL && self->offered_keywords[0] != NULL)
    g_hash_table_add (self->chosen_keywords, g_strdup (self->offered_keywords[0]));

  self->explanation = g_strdup (default_explanation (category));
  self->organisation_name = g_strdup (settings->organisation_name);
  self->organisation_email = g_strdup (settings->organisation_email);
  /* Art. 16(2)(c) lets a notice of child sexual abuse material leave the
   * notifier out; a hotline takes anonymous reports, so that is where the
   * caseworker starts. */
  self->notifier = child_abuse_material ? HAVEN_NOTICE_NOTIFIER_LEFT_OUT
                                        : HAVEN_NOTICE_NOTIFIER_ORGANISATION;
  return self;
}

static void
set_recipient (HavenNotice          *self,
               HavenNoticePlatforms *platforms,
               const char           *kind,
               const char           *id,
               const char           *unlisted_host)
{
  const char *web_form = id != NULL ? haven_notice_platforms_get_web_form (platforms, id) : NULL;
  const char *email = id != NULL ? haven_notice_platforms_get_email (platforms, id) : NULL;

  self->recipient_kind = g_strdup (kind);
  self->recipient_id = g_strdup (id != NULL ? id : UNLISTED_RECIPIENT);
  self->recipient_name = g_strdup (id != NULL ? haven_notice_platforms_get_name (platforms, id)
                                              : unlisted_host);
  self->recipient_entity = id != NULL ? g_strdup (haven_notice_platforms_get_entity (platforms, id))
                                      : NULL;
  self->guidance = id != NULL ? g_strdup (haven_notice_platforms_get_guidance (platforms, id)) : NULL;
  if (web_form != NULL)
    {
      self->channel_kind = "web-form";
      self->channel_address = g_strdup (web_form);
    }
  else if (email != NULL)
    {
      self->channel_kind = "email";
      self->channel_address = g_strdup (email);
    }
  /* A platform without a published channel takes notices from the
   * content itself; a hotline without one, as its own page says. */
  else
    self->channel_kind = id != NULL && g_str_equal (kind, "platform") ? "in-app" : "unknown";
}

GPtrArray *
haven_notice_build_all (HavenCase                 *opened,
                        HavenNoticeCrosswalk      *crosswalk,
                        HavenNoticePlatforms      *platforms,
                        const HavenNoticeSettings *settings,
                        GError                   **error)
{
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_provider = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *language = dup_notice_language ();
  HavenRequest *request;
  const char *category;
  const char *hotline = NULL;
  gboolean csam;

  g_return_val_if_fail (HAVEN_IS_CASE (opened), NULL);
  g_return_val_if_fail (HAVEN_IS_NOTICE_CROSSWALK (crosswalk), NULL);
  g_return_val_if_fail (HAVEN_IS_NOTICE_PLATFORMS (platforms), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  request = haven_case_get_request (opened);
  if (haven_request_get_kind (request) != HAVEN_REQUEST_KIND_REMOVAL ||
      haven_request_get_n_items (request) == 0)
    {
      g_set_error_literal (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_NO_ADDRESSES,
                           _("Only a removal request has addresses to send to platforms."));
      return NULL;
    }

  /* Intimate images of a child are child sexual abuse material, whatever
   * category the visitor chose: they go to a hotline, as that category
   * does, and the notice says so. */
  category = haven_request_get_category (request);
  csam = haven_notice_crosswalk_is_child_abuse_material (crosswalk, category) ||
         (g_strcmp0 (category, "intimate-images") == 0 &&
          haven_request_get_child_involved (request));
  if (csam)
    {
      category = CSAM_CATEGORY;
      hotline = haven_notice_platforms_find_hotline (platforms,
                                                     settings->hotline_country != NULL &&
                                                     settings->hotline_country[0] != '\0'
                                                       ? settings->hotline_country : "*");
      if (hotline == NULL)
        {
          g_set_error_literal (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_NO_ADDRESSES,
                               _("The platforms table names no hotline for child sexual abuse "
                                 "material. Add one before sending these addresses anywhere."));
          return NULL;
        }
    }
  if (haven_notice_crosswalk_get_statement_category (crosswalk, category) == NULL)
    {
      g_set_error (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_NO_ADDRESSES,
                   _("The notice crosswalk has no entry for the category “%s”."), category);
      return NULL;
    }

  for (guint i = 0; i < haven_request_get_n_items (request); i++)
    {
      const char *url = haven_request_get_item_url (request, i);
      const char *description = haven_request_get_item_description (request, i);
      const char *platform_id = NULL;
      g_autofree char *provider = dup_hosting_provider (platforms, url, &platform_id);
      HavenNotice *notice;
      Item item = { 0 };

      if (provider == NULL)
        continue;

      notice = g_hash_table_lookup (by_provider, provider);
      if (notice == NULL || notice->items->len == MAX_ITEMS_PER_NOTICE)
        {
          notice = notice_new (request, category, csam, crosswalk, settings, language);
          notice->hosting_provider = g_strdup (provider);
          notice->hosting_provider_name = g_strdup (platform_id != NULL
                                                    ? haven_notice_platforms_get_name (platforms,
                                                                                       platform_id)
                                                    : provider);
          if (csam)
            set_recipient (notice, platforms, "hotline", hotline, NULL);
          else
            set_recipient (notice, platforms, "platform", platform_id, provider);
          g_ptr_array_add (notices, notice);
          g_hash_table_replace (by_provider, g_steal_pointer (&provider), notice);
        }

      item.index = i;
      item.url = g_strdup (url);
      item.what_it_shows = g_strdup (description != NULL ? description : "");
      item.content_type = guess_content_type (url, platform_id);
      g_array_append_val (notice->items, item);
    }

  if (notices->len == 0)
    {
      g_set_error_literal (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_NO_ADDRESSES,
                           _("None of the request’s addresses names a host to send a notice to."));
      return NULL;
    }
  return g_steal_pointer (&notices);
}

const char *
haven_notice_get_notice_id (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->notice_id;
}

const char *
haven_notice_get_created_at (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->created_at;
}

const char *
haven_notice_get_case_reference (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->case_reference;
}

const char *
haven_notice_get_language (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->language;
}

gboolean
haven_notice_is_child_abuse_material (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), FALSE);
  return self->child_abuse_material;
}

const char *
haven_notice_get_recipient_kind (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->recipient_kind;
}

const char *
haven_notice_get_recipient_id (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->recipient_id;
}

const char *
haven_notice_get_recipient_name (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->recipient_name;
}

const char *
haven_notice_get_recipient_entity (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->recipient_entity;
}

const char *
haven_notice_get_channel_kind (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->channel_kind;
}

const char *
haven_notice_get_channel_address (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->channel_address;
}

const char *
haven_notice_get_guidance (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->guidance;
}

const char *
haven_notice_get_hosting_provider (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->hosting_provider;
}

const char *
haven_notice_get_source_type (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->source_type;
}

const char *
haven_notice_get_haven_category (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->haven_category;
}

const char *
haven_notice_get_statement_category (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->statement_category;
}

const guint *
haven_notice_get_convention_articles (HavenNotice *self,
                                      gsize       *n_articles)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  g_return_val_if_fail (n_articles != NULL, NULL);

  *n_articles = self->articles->len;
  return (const guint *) (gpointer) self->articles->data;
}

const char * const *
haven_notice_get_offered_keywords (HavenNotice *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->offered_keywords != NULL ? (const char * const *) self->offered_keywords : none;
}

gboolean
haven_notice_get_keyword_chosen (HavenNotice *self,
                                 const char  *keyword)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), FALSE);
  return keyword != NULL && g_hash_table_contains (self->chosen_keywords, keyword);
}

void
haven_notice_set_keyword_chosen (HavenNotice *self,
                                 const char  *keyword,
                                 gboolean     chosen)
{
  g_return_if_fail (HAVEN_IS_NOTICE (self));
  g_return_if_fail (keyword != NULL);

  if (!chosen)
    g_hash_table_remove (self->chosen_keywords, keyword);
  else if (self->offered_keywords != NULL &&
           g_strv_contains ((const char * const *) self->offered_keywords, keyword))
    g_hash_table_add (self->chosen_keywords, g_strdup (keyword));
}

/* The chosen keywords in the crosswalk's order, so that every export
 * lists them alike. */
static GPtrArray *
dup_chosen_keywords (HavenNotice *self)
{
  GPtrArray *chosen = g_ptr_array_new ();

  for (guint i = 0; self->offered_keywords != NULL && self->offered_keywords[i] != NULL; i++)
    if (g_hash_table_contains (self->chosen_keywords, self->offered_keywords[i]))
      g_ptr_array_add (chosen, self->offered_keywords[i]);
  return chosen;
}

guint
haven_notice_get_n_items (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), 0);
  return self->items->len;
}

static Item *
get_item (HavenNotice *self,
          guint        position)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);
  return &g_array_index (self->items, Item, position);
}

guint
haven_notice_get_item_index (HavenNotice *self,
                             guint        position)
{
  Item *item = get_item (self, position);

  return item != NULL ? item->index : 0;
}

const char *
haven_notice_get_item_url (HavenNotice *self,
                           guint        position)
{
  Item *item = get_item (self, position);

  return item != NULL ? item->url : NULL;
}

const char *
haven_notice_get_item_what_it_shows (HavenNotice *self,
                                     guint        position)
{
  Item *item = get_item (self, position);

  return item != NULL ? item->what_it_shows : NULL;
}

const char *
haven_notice_get_item_content_type (HavenNotice *self,
                                    guint        position)
{
  Item *item = get_item (self, position);

  return item != NULL ? item->content_type : NULL;
}

const char *
haven_notice_get_explanation (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return self->explanation;
}

void
haven_notice_set_explanation (HavenNotice *self,
                              const char  *explanation)
{
  g_return_if_fail (HAVEN_IS_NOTICE (self));

  haven_wipe_clear_string (&self->explanation);
  self->explanation = g_strdup (explanation != NULL ? explanation : "");
}

/* "STATEMENT_CATEGORY_CYBER_VIOLENCE" as the Transparency Database shows
 * it to people, "Cyber violence". */
static char *
describe_dsa_value (const char *value)
{
  const char *words = value;
  char *described;

  if (g_str_has_prefix (value, "STATEMENT_CATEGORY_"))
    words = value + strlen ("STATEMENT_CATEGORY_");
  else if (g_str_has_prefix (value, "KEYWORD_"))
    words = value + strlen ("KEYWORD_");
  else if (g_str_has_prefix (value, "CONTENT_TYPE_"))
    words = value + strlen ("CONTENT_TYPE_");

  described = g_ascii_strdown (words, -1);
  g_strdelimit (described, "_", ' ');
  described[0] = g_ascii_toupper (described[0]);
  return described;
}

char *
haven_notice_dup_explanation_text (HavenNotice *self)
{
  g_autoptr(GPtrArray) keywords = NULL;
  g_autofree char *category = NULL;
  GString *text;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  text = haven_wiped_text_new ();
  if (self->explanation != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (self->explanation));

      haven_wiped_text_append (text, stripped);
      haven_wipe_string (g_steal_pointer (&stripped));
    }

  category = describe_dsa_value (self->statement_category);
  haven_wiped_text_append (text, "\n\n");
  /* Translators: %s is a category of the EU's DSA Transparency Database,
   * in English ("Cyber violence"), followed by its code in brackets. */
  haven_wiped_text_append_line_printf (text, _("Type of illegal content, as the DSA Transparency "
                                               "Database names it: %s (%s)."),
                                       category, self->statement_category);
  keywords = dup_chosen_keywords (self);
  for (guint i = 0; i < keywords->len; i++)
    {
      g_autofree char *keyword = describe_dsa_value (g_ptr_array_index (keywords, i));

      /* Translators: a keyword of the DSA Transparency Database, in English,
       * then its code in brackets. */
      haven_wiped_text_append_line_printf (text, _("Specifically: %s (%s)."),
                                           keyword, (const char *) g_ptr_array_index (keywords, i));
    }

  for (guint i = 0; i < self->articles->len; i++)
    {
      guint article = g_array_index (self->articles, guint, i);

      /* Translators: %u is an article number of the UN Convention against
       * Cybercrime, %s its title in English. */
      haven_wiped_text_append_line_printf (text, _("Offence under the United Nations Convention "
                                                   "against Cybercrime: Article %u, %s."),
                                           article,
                                           haven_notice_crosswalk_get_article_title (self->crosswalk,
                                                                                     article));
    }

  return g_string_free (text, FALSE);
}

void
haven_notice_set_notifier (HavenNotice         *self,
                           HavenNoticeNotifier  notifier,
                           const char          *name,
                           const char          *email)
{
  g_return_if_fail (HAVEN_IS_NOTICE (self));

  self->notifier = notifier;
  haven_wipe_clear_string (&self->person_name);
  haven_wipe_clear_string (&self->person_email);
  if (notifier == HAVEN_NOTICE_NOTIFIER_PERSON)
    {
      self->person_name = g_strstrip (g_strdup (name != NULL ? name : ""));
      self->person_email = g_strstrip (g_strdup (email != NULL ? email : ""));
    }
}

HavenNoticeNotifier
haven_notice_get_notifier (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), HAVEN_NOTICE_NOTIFIER_ORGANISATION);
  return self->notifier;
}

const char *
haven_notice_get_notifier_name (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  switch (self->notifier)
    {
    case HAVEN_NOTICE_NOTIFIER_ORGANISATION:
      return self->organisation_name;
    case HAVEN_NOTICE_NOTIFIER_PERSON:
      return self->person_name;
    case HAVEN_NOTICE_NOTIFIER_LEFT_OUT:
    default:
      return NULL;
    }
}

const char *
haven_notice_get_notifier_email (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  switch (self->notifier)
    {
    case HAVEN_NOTICE_NOTIFIER_ORGANISATION:
      return self->organisation_email;
    case HAVEN_NOTICE_NOTIFIER_PERSON:
      return self->person_email;
    case HAVEN_NOTICE_NOTIFIER_LEFT_OUT:
    default:
      return NULL;
    }
}

const char *
haven_notice_get_good_faith_statement (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);
  return _("The notifier believes in good faith that the information and allegations in this "
           "notice are accurate and complete.");
}

gboolean
haven_notice_get_confirmed (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), FALSE);
  return self->confirmed;
}

void
haven_notice_set_confirmed (HavenNotice *self,
                            gboolean     confirmed)
{
  g_return_if_fail (HAVEN_IS_NOTICE (self));
  self->confirmed = confirmed;
}

static gboolean
is_email_address (const char *text)
{
  return text != NULL && strlen (text) <= MAX_EMAIL_BYTES &&
         g_regex_match_simple ("^[^@\\s<>\",;]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$", text, 0, 0);
}

static gboolean
has_words (const char *text)
{
  for (const char *c = text; c != NULL && *c != '\0'; c = g_utf8_next_char (c))
    if (!g_unichar_isspace (g_utf8_get_char (c)))
      return TRUE;
  return FALSE;
}

static gboolean
incomplete (GError    **error,
            const char *message)
{
  g_set_error_literal (error, HAVEN_NOTICE_ERROR, HAVEN_NOTICE_ERROR_INCOMPLETE, message);
  return FALSE;
}

gboolean
haven_notice_check (HavenNotice  *self,
                    GError      **error)
{
  g_autofree char *explanation = NULL;
  const char *name;
  const char *email;
  glong explanation_chars;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), FALSE);

  if (self->items->len == 0 || self->items->len > MAX_ITEMS_PER_NOTICE)
    return incomplete (error, _("This notice has no address left. It cannot be sent."));
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);

      if (strlen (item->url) > MAX_URL_BYTES ||
          !(g_str_has_prefix (item->url, "https://") || g_str_has_prefix (item->url, "http://")) ||
          !g_uri_is_valid (item->url, G_URI_FLAGS_NONE, NULL) ||
          g_utf8_strlen (item->what_it_shows, -1) > MAX_WHAT_IT_SHOWS_CHARS)
        return incomplete (error, _("An address in this notice is not one a platform can open. "
                                    "Check the request’s addresses."));
    }

  if (!has_words (self->explanation))
    return incomplete (error, _("Write why the content is illegal: the platform needs it to act."));
  explanation = haven_notice_dup_explanation_text (self);
  explanation_chars = g_utf8_strlen (explanation, -1);
  haven_wipe_string (g_steal_pointer (&explanation));
  if (explanation_chars > MAX_EXPLANATION_CHARS)
    return incomplete (error, _("The explanation is too long for a notice. Shorten it."));

  name = haven_notice_get_notifier_name (self);
  email = haven_notice_get_notifier_email (self);
  switch (self->notifier)
    {
    case HAVEN_NOTICE_NOTIFIER_ORGANISATION:
      if (name == NULL || name[0] == '\0' || !is_email_address (email))
        return incomplete (error, _("The organisation’s name and email for notices are not set. "
                                    "Ask whoever runs the desk to set notifier-name and "
                                    "notifier-email in its settings."));
      break;
    case HAVEN_NOTICE_NOTIFIER_PERSON:
      if (name == NULL || name[0] == '\0' || g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
        return incomplete (error, _("Write the name of the person who sends the notice."));
      if (!is_email_address (email))
        return incomplete (error, _("Write the email address of the person who sends the "
                                    "notice, such as name@example.org."));
      break;
    case HAVEN_NOTICE_NOTIFIER_LEFT_OUT:
    default:
      if (!self->child_abuse_material)
        return incomplete (error, _("A notice must name who sends it. Only a report of child "
                                    "sexual abuse material may leave that out."));
      break;
    }
  if (name != NULL && g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    return incomplete (error, _("The notifier’s name is too long for a notice."));

  if (!self->confirmed)
    return incomplete (error, _("Confirm the good-faith statement before the notice is sent."));
  return TRUE;
}

char *
haven_notice_dup_package_json (HavenNotice  *self,
                               GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) keywords = NULL;
  char *explanation;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  if (!haven_notice_check (self, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "notice_id");
  json_builder_add_string_value (builder, self->notice_id);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, self->created_at);
  json_builder_set_member_name (builder, "case_reference");
  json_builder_add_string_value (builder, self->case_reference);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, self->language);

  json_builder_set_member_name (builder, "recipient");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->recipient_kind);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->recipient_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->recipient_name);
  if (self->recipient_entity != NULL)
    {
      json_builder_set_member_name (builder, "entity");
      json_builder_add_string_value (builder, self->recipient_entity);
    }
  json_builder_set_member_name (builder, "channel");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->channel_kind);
  if (self->channel_address != NULL)
    {
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, self->channel_address);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "hosting_provider");
  json_builder_add_string_value (builder, self->hosting_provider);
  json_builder_set_member_name (builder, "source_type");
  json_builder_add_string_value (builder, self->source_type);

  json_builder_set_member_name (builder, "explanation");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  explanation = haven_notice_dup_explanation_text (self);
  json_builder_add_string_value (builder, explanation);
  haven_wipe_string (explanation);
  json_builder_set_member_name (builder, "haven_category");
  json_builder_add_string_value (builder, self->haven_category);
  json_builder_set_member_name (builder, "convention_articles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->articles->len; i++)
    json_builder_add_int_value (builder, g_array_index (self->articles, guint, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "statement_category");
  json_builder_add_string_value (builder, self->statement_category);
  json_builder_set_member_name (builder, "keywords");
  json_builder_begin_array (builder);
  keywords = dup_chosen_keywords (self);
  for (guint i = 0; i < keywords->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (keywords, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, item->url);
      json_builder_set_member_name (builder, "what_it_shows");
      json_builder_add_string_value (builder, item->what_it_shows);
      json_builder_set_member_name (builder, "content_type");
      json_builder_add_string_value (builder, item->content_type);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (self->notifier != HAVEN_NOTICE_NOTIFIER_LEFT_OUT)
    {
      json_builder_set_member_name (builder, "notifier");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, haven_notice_get_notifier_name (self));
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, haven_notice_get_notifier_email (self));
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "notifier_choice");
  json_builder_add_string_value (builder, self->notifier == HAVEN_NOTICE_NOTIFIER_LEFT_OUT
                                            ? "left-out-under-article-16-2-c" : "given");

  json_builder_set_member_name (builder, "good_faith");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "statement");
  json_builder_add_string_value (builder, haven_notice_get_good_faith_statement (self));
  json_builder_set_member_name (builder, "confirmed");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

static void
add_section (GPtrArray  *sections,
             const char *id,
             const char *heading,
             GString    *text)
{
  HavenCaseSection *section = g_new0 (HavenCaseSection, 1);

  section->id = id;
  section->heading = g_strdup (heading);
  section->text = g_string_free (text, FALSE);
  g_ptr_array_add (sections, section);
}

static void
append_channel (GString     *text,
                HavenNotice *self)
{
  if (g_str_equal (self->channel_kind, "web-form"))
    haven_wiped_text_append_line_printf (text, _("Send it through: the web form at %s"),
                                         self->channel_address);
  else if (g_str_equal (self->channel_kind, "email"))
    haven_wiped_text_append_line_printf (text, _("Send it to: %s"), self->channel_address);
  else if (g_str_equal (self->channel_kind, "in-app"))
    haven_wiped_text_append_line (text, _("Send it through: the report option on the content "
                                          "itself, with this text (the platform publishes no "
                                          "other way)."));
  else if (g_str_equal (self->recipient_kind, "hotline"))
    haven_wiped_text_append_line (text, _("Send it through: the hotline’s own reporting page."));
  else
    haven_wiped_text_append_line (text, _("Send it through: the site’s own contact for illegal "
                                          "content (not in the platforms table)."));
  if (self->guidance != NULL)
    /* Translators: %s is a web address where the recipient explains how
     * it takes notices. */
    haven_wiped_text_append_line_printf (text, _("How to send it: %s"), self->guidance);
}

GPtrArray *
haven_notice_build_sections (HavenNotice  *self,
                             GError      **error)
{
  g_autoptr(GPtrArray) sections = NULL;
  GString *text;
  char *explanation;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  if (!haven_notice_check (self, error))
    return NULL;

  sections = g_ptr_array_new_with_free_func ((GDestroyNotify) haven_case_section_free);

  text = haven_wiped_text_new ();
  if (self->recipient_entity != NULL)
    haven_wiped_text_append_line_printf (text, "%s (%s)", self->recipient_name,
                                         self->recipient_entity);
  else
    haven_wiped_text_append_line (text, self->recipient_name);
  if (g_str_equal (self->recipient_kind, "hotline"))
    /* Translators: %s is a platform's name or a site's host name. */
    haven_wiped_text_append_line_printf (text, _("The addresses are on: %s"),
                                         self->hosting_provider_name);
  append_channel (text, self);
  add_section (sections, "recipient", C_("notice", "To"), text);

  text = haven_wiped_text_new ();
  haven_wiped_text_append_line (text, g_str_equal (self->recipient_kind, "hotline")
                                ? _("A report of child sexual abuse material, for the hotline to "
                                    "act on. It holds addresses only, no image.")
                                : _("A notice of illegal content under Article 16 of the EU "
                                    "Digital Services Act (Regulation (EU) 2022/2065)."));
  if (g_str_equal (self->source_type, "SOURCE_TRUSTED_FLAGGER") &&
      g_str_equal (self->recipient_kind, "platform"))
    haven_wiped_text_append_line (text, _("It comes from a trusted flagger (Article 22 of the "
                                          "Regulation) and is to be handled with priority."));
  haven_wiped_text_append_line_printf (text, _("Notice number: %s"), self->notice_id);
  haven_wiped_text_append_line_printf (text, _("Our case: %s"), self->case_reference);
  haven_wiped_text_append_line_printf (text, _("Made on: %s"), self->created_at);
  haven_wiped_text_append_line (text, _("Please quote the notice number when you confirm "
                                        "receipt and when you tell us your decision."));
  add_section (sections, "notice", C_("notice", "Notice of illegal content"), text);

  text = haven_wiped_text_new ();
  explanation = haven_notice_dup_explanation_text (self);
  haven_wiped_text_append (text, explanation);
  haven_wipe_string (explanation);
  add_section (sections, "explanation", C_("notice", "Why the content is illegal"), text);

  text = haven_wiped_text_new ();
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);
      g_autofree char *content_type = describe_dsa_value (item->content_type);

      haven_wiped_text_append_line_printf (text, "%u. %s", i + 1, item->url);
      if (item->what_it_shows[0] != '\0')
        haven_wiped_text_append_line_printf (text, _("   What it shows: %s"), item->what_it_shows);
      haven_wiped_text_append_line_printf (text, _("   Kind of content: %s (%s)"), content_type,
                                           item->content_type);
    }
  add_section (sections, "items", C_("notice", "Where the content is (exact addresses)"), text);

  text = haven_wiped_text_new ();
  if (self->notifier == HAVEN_NOTICE_NOTIFIER_LEFT_OUT)
    haven_wiped_text_append_line (text, _("The notifier’s name and email are left out, as "
                                          "Article 16(2)(c) allows for child sexual abuse "
                                          "material."));
  else
    {
      haven_wiped_text_append_line (text, haven_notice_get_notifier_name (self));
      haven_wiped_text_append_line (text, haven_notice_get_notifier_email (self));
    }
  add_section (sections, "notifier", C_("notice", "Who sends this notice"), text);

  text = haven_wiped_text_new ();
  haven_wiped_text_append_line (text, haven_notice_get_good_faith_statement (self));
  haven_wiped_text_append_line (text, _("Confirmed by the notifier."));
  add_section (sections, "good-faith", C_("notice", "Statement of good faith"), text);

  return g_steal_pointer (&sections);
}

char *
haven_notice_dup_text (HavenNotice  *self,
                       GError      **error)
{
  g_autoptr(GPtrArray) sections = haven_notice_build_sections (self, error);
  GString *text;

  if (sections == NULL)
    return NULL;

  text = haven_wiped_text_new ();
  for (guint i = 0; i < sections->len; i++)
    {
      HavenCaseSection *section = g_ptr_array_index (sections, i);

      if (i > 0)
        haven_wiped_text_append (text, "\n\n");
      haven_wiped_text_append (text, section->heading);
      haven_wiped_text_append (text, "\n");
      haven_wiped_text_append (text, section->text);
    }
  haven_wiped_text_append (text, "\n");
  return g_string_free (text, FALSE);
}

char *
haven_notice_dup_subject (HavenNotice *self)
{
  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  if (g_str_equal (self->recipient_kind, "hotline"))
    /* Translators: %s is the notice's number, a UUID. */
    return g_strdup_printf (_("Report of child sexual abuse material, notice %s"),
                            self->notice_id);
  /* Translators: %s is the notice's number, a UUID. */
  return g_strdup_printf (_("Notice of illegal content (DSA Article 16), notice %s"),
                          self->notice_id);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if ((guchar) *c >= 0x80)
      return FALSE;
  return TRUE;
}

/* RFC 2047: a header's words in UTF-8 as base64 encoded-words of at most
 * 75 characters, never splitting a character, folded onto lines of their
 * own. ASCII without control characters stays as it is. */
static void
append_header_words (GString    *message,
                     const char *text)
{
  const char *start = text;
  gboolean first = TRUE;

  if (is_ascii (text) && strpbrk (text, "\r\n") == NULL)
    {
      haven_wiped_text_append (message, text);
      return;
    }

  while (*start != '\0')
    {
      const char *end = start;
      g_autofree char *encoded = NULL;

      /* 45 bytes make 60 characters of base64: with "=?UTF-8?B?" and
       * "?=" that is 72. */
      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if (next - start > 45)
            break;
          end = next;
        }
      encoded = g_base64_encode ((const guchar *) start, (gsize) (end - start));
      if (!first)
        haven_wiped_text_append (message, "\r\n ");
      haven_wiped_text_append (message, "=?UTF-8?B?");
      haven_wiped_text_append (message, encoded);
      haven_wiped_text_append (message, "?=");
      haven_wipe_string (g_steal_pointer (&encoded));
      first = FALSE;
      start = end;
    }
}

/* RFC 2045's quoted-printable, lines ending in CRLF, at most 76
 * characters each with soft breaks. */
static void
append_quoted_printable (GString    *message,
                         const char *text)
{
  guint column = 0;

  for (const guchar *c = (const guchar *) text; *c != '\0'; c++)
    {
      char piece[4];
      gboolean at_line_end = c[1] == '\0' || c[1] == '\n';

      if (*c == '\n')
        {
          haven_wiped_text_append (message, "\r\n");
          column = 0;
          continue;
        }
      if ((*c >= 33 && *c <= 126 && *c != '=') || ((*c == ' ' || *c == '\t') && !at_line_end))
        {
          piece[0] = (char) *c;
          piece[1] = '\0';
        }
      else
        g_snprintf (piece, sizeof piece, "=%02X", *c);

      if (column + strlen (piece) > 75)
        {
          haven_wiped_text_append (message, "=\r\n");
          column = 0;
        }
      haven_wiped_text_append (message, piece);
      column += (guint) strlen (piece);
    }
}

GBytes *
haven_notice_dup_email (HavenNotice  *self,
                        GError      **error)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *subject = NULL;
  g_autofree char *date = NULL;
  char *body;
  GString *message;
  gsize length;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  body = haven_notice_dup_text (self, error);
  if (body == NULL)
    return NULL;

  message = haven_wiped_text_new ();
  /* A draft: mail programs open it for the caseworker to check and send,
   * rather than as a message already received. */
  haven_wiped_text_append (message, "X-Unsent: 1\r\n");
  if (self->notifier != HAVEN_NOTICE_NOTIFIER_LEFT_OUT)
    {
      haven_wiped_text_append (message, "From: ");
      append_header_words (message, haven_notice_get_notifier_name (self));
      haven_wiped_text_append (message, " <");
      haven_wiped_text_append (message, haven_notice_get_notifier_email (self));
      haven_wiped_text_append (message, ">\r\n");
    }
  if (g_str_equal (self->channel_kind, "email"))
    {
      haven_wiped_text_append (message, "To: ");
      haven_wiped_text_append (message, self->channel_address);
      haven_wiped_text_append (message, "\r\n");
    }
  subject = haven_notice_dup_subject (self);
  haven_wiped_text_append (message, "Subject: ");
  append_header_words (message, subject);
  haven_wiped_text_append (message, "\r\n");
  date = g_strdup_printf ("Date: %s, %02d %s %d %02d:%02d:%02d +0000\r\n",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now));
  haven_wiped_text_append (message, date);
  haven_wiped_text_append (message, "MIME-Version: 1.0\r\n"
                                    "Content-Type: text/plain; charset=UTF-8\r\n"
                                    "Content-Transfer-Encoding: quoted-printable\r\n");
  haven_wiped_text_append (message, "Content-Language: ");
  haven_wiped_text_append (message, self->language);
  haven_wiped_text_append (message, "\r\n\r\n");
  append_quoted_printable (message, body);
  haven_wipe_string (body);

  length = message->len;
  return g_bytes_new_with_free_func (g_string_free (message, FALSE), length,
                                     (GDestroyNotify) haven_wipe_string, NULL);
}

char *
haven_notice_dup_mailto_uri (HavenNotice  *self,
                             GError      **error)
{
  g_autofree char *text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *escaped_subject = NULL;
  char **lines;
  char *crlf_text;
  char *escaped_body;
  char *uri;

  g_return_val_if_fail (HAVEN_IS_NOTICE (self), NULL);

  text = haven_notice_dup_text (self, error);
  if (text == NULL)
    return NULL;

  /* RFC 6068: line breaks in a body are CRLF, percent-encoded. */
  lines = g_strsplit (text, "\n", -1);
  crlf_text = g_strjoinv ("\r\n", lines);
  for (guint i = 0; lines[i] != NULL; i++)
    haven_wipe_string (g_steal_pointer (&lines[i]));
  g_free (lines);
  haven_wipe_string (g_steal_pointer (&text));

  subject = haven_notice_dup_subject (self);
  escaped_subject = g_uri_escape_string (subject, NULL, FALSE);
  escaped_body = g_uri_escape_string (crlf_text, NULL, FALSE);
  haven_wipe_string (crlf_text);
  uri = g_strdup_printf ("mailto:%s?subject=%s&body=%s",
                         g_str_equal (self->channel_kind, "email") ? self->channel_address : "",
                         escaped_subject, escaped_body);
  haven_wipe_string (escaped_body);
  return uri;
}
