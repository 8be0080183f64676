/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-notice-platforms"

#include "config.h"

#include <string.h>

#include "haven-notice-platforms.h"

/* The table of platforms and hotlines notices go to: the shipped file
 * read as a deployment gets it, addresses matched to platforms by host
 * name, and every kind of broken line refused with a message that names
 * it. */

#define SMALL \
  "[Platform facebook]\n" \
  "name=Facebook\n" \
  "entity=Example Entity Ltd\n" \
  "hosts=facebook.com;fb.com;\n" \
  "web-form=https://forms.example.org/notice\n" \
  "email=notices@example.org\n" \
  "[Platform blog]\n" \
  "name=Blog\n" \
  "hosts=blog.example.com;\n" \
  "[Platform example]\n" \
  "name=Example\n" \
  "hosts=Example.COM.;\n" \
  "[Hotline national]\n" \
  "name=National hotline\n" \
  "countries=gb;ie;\n" \
  "web-form=https://report.example.org/\n" \
  "[Hotline network]\n" \
  "name=Network\n" \
  "countries=*\n"

static HavenNoticePlatforms *
small_table (void)
{
  g_autoptr(GError) error = NULL;
  HavenNoticePlatforms *table = haven_notice_platforms_new_from_data (SMALL, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

static const char *
lookup (HavenNoticePlatforms *table,
        const char           *url)
{
  return haven_notice_platforms_lookup_url (table, url);
}

static void
test_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticePlatforms) table = haven_notice_platforms_load_default (&error);
  const char * const *platforms;
  const char * const *hotlines;
  guint with_channel = 0;

  g_assert_no_error (error);
  g_assert_nonnull (table);

  platforms = haven_notice_platforms_get_platform_ids (table);
  hotlines = haven_notice_platforms_get_hotline_ids (table);
  g_assert_cmpuint (g_strv_length ((GStrv) platforms), >=, 12);
  g_assert_cmpuint (g_strv_length ((GStrv) hotlines), ==, 4);

  /* Meta's two platforms, each with its own hosts. */
  g_assert_cmpstr (lookup (table, "https://m.facebook.com/story.php?id=1"), ==, "facebook");
  g_assert_cmpstr (lookup (table, "https://www.instagram.com/p/abc/"), ==, "instagram");
  g_assert_cmpstr (lookup (table, "https://youtu.be/xyz"), ==, "youtube");
  g_assert_cmpstr (lookup (table, "https://twitter.com/a/status/1"), ==, "x");
  g_assert_cmpstr (lookup (table, "https://x.com/a/status/1"), ==, "x");
  g_assert_cmpstr (lookup (table, "t.me/somechannel/12"), ==, "telegram");
  g_assert_cmpstr (lookup (table, "https://www.tiktok.com/@a/video/1"), ==, "tiktok");
  g_assert_cmpstr (haven_notice_platforms_get_name (table, "pornhub"), ==, "Pornhub");
  g_assert_cmpstr (haven_notice_platforms_get_entity (table, "pornhub"), ==, "Aylo Freesites Ltd");
  g_assert_cmpstr (haven_notice_platforms_get_web_form (table, "ncmec"), ==,
                   "https://report.cybertip.org/");

  /* Every entry gives the desk something to point to. */
  for (guint i = 0; hotlines[i] != NULL; i++)
    {
      g_assert_true (haven_notice_platforms_is_hotline (table, hotlines[i]));
      g_assert_true (haven_notice_platforms_get_web_form (table, hotlines[i]) != NULL ||
                     haven_notice_platforms_get_guidance (table, hotlines[i]) != NULL);
    }
  for (guint i = 0; platforms[i] != NULL; i++)
    {
      g_assert_false (haven_notice_platforms_is_hotline (table, platforms[i]));
      if (haven_notice_platforms_get_web_form (table, platforms[i]) != NULL ||
          haven_notice_platforms_get_email (table, platforms[i]) != NULL ||
          haven_notice_platforms_get_guidance (table, platforms[i]) != NULL)
        with_channel++;
    }
  g_assert_cmpuint (with_channel, >=, 6);

  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "US"), ==, "ncmec");
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "gb"), ==, "iwf");
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "AU"), ==, "esafety");
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "DE"), ==, "inhope");
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, NULL), ==, "inhope");
}

static void
test_lookup (void)
{
  g_autoptr(HavenNoticePlatforms) table = small_table ();
  const struct {
    const char *url;
    const char *platform;
  } cases[] = {
    { "https://facebook.com/a", "facebook" },
    { "https://www.facebook.com/a", "facebook" },
    { "https://m.facebook.com/story.php?id=1", "facebook" },
    { "https://a.b.c.facebook.com/", "facebook" },
    { "HTTPS://WWW.FACEBOOK.COM/Photo", "facebook" },
    { "https://www.facebook.com:443/a", "facebook" },
    { "http://facebook.com:8080", "facebook" },
    { "https://facebook.com./a", "facebook" },
    { "  https://fb.com/x  ", "facebook" },
    { "www.facebook.com/some.page", "facebook" },
    { "m.facebook.com:8080/x", "facebook" },
    { "facebook.com", "facebook" },
    { "https://user@facebook.com/a", "facebook" },
    /* The longest listed suffix wins over a shorter one. */
    { "https://blog.example.com/post", "blog" },
    { "https://www.blog.example.com/post", "blog" },
    { "https://example.com/", "example" },
    { "https://shop.example.com/", "example" },
    /* Only on a label boundary. */
    { "https://notfacebook.com/a", NULL },
    { "https://facebook.com.evil.example.net/a", NULL },
    { "https://facebook.co/a", NULL },
    { "https://evil.net/facebook.com", NULL },
    { "https://evil.net/?u=https://facebook.com", NULL },
    { "https://facebook.com@evil.net/", NULL },
    { "https://com/", NULL },
    { "not an address", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].url);
      g_assert_cmpstr (lookup (table, cases[i].url), ==, cases[i].platform);
    }

  g_assert_cmpstr (haven_notice_platforms_lookup_host (table, "M.FB.COM"), ==, "facebook");
  g_assert_cmpstr (haven_notice_platforms_lookup_host (table, "xfb.com"), ==, NULL);
  g_assert_cmpstr (haven_notice_platforms_lookup_host (table, "fb.com."), ==, "facebook");
}

static void
test_getters (void)
{
  g_autoptr(HavenNoticePlatforms) table = small_table ();
  const char *facebook_hosts[] = { "facebook.com", "fb.com", NULL };
  const char *national[] = { "GB", "IE", NULL };

  g_assert_cmpstr (haven_notice_platforms_get_name (table, "facebook"), ==, "Facebook");
  g_assert_cmpstr (haven_notice_platforms_get_entity (table, "facebook"), ==,
                   "Example Entity Ltd");
  g_assert_cmpstr (haven_notice_platforms_get_web_form (table, "facebook"), ==,
                   "https://forms.example.org/notice");
  g_assert_cmpstr (haven_notice_platforms_get_email (table, "facebook"), ==,
                   "notices@example.org");
  g_assert_null (haven_notice_platforms_get_guidance (table, "facebook"));
  g_assert_true (g_strv_equal ((const char * const *) facebook_hosts,
                               haven_notice_platforms_get_hosts (table, "facebook")));
  g_assert_null (haven_notice_platforms_get_countries (table, "facebook"));

  /* Host names keep no case and no final dot. */
  g_assert_cmpstr (haven_notice_platforms_get_hosts (table, "example")[0], ==, "example.com");

  g_assert_null (haven_notice_platforms_get_entity (table, "blog"));
  g_assert_null (haven_notice_platforms_get_web_form (table, "blog"));
  g_assert_null (haven_notice_platforms_get_email (table, "blog"));

  g_assert_true (haven_notice_platforms_is_hotline (table, "national"));
  g_assert_true (g_strv_equal ((const char * const *) national,
                               haven_notice_platforms_get_countries (table, "national")));
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "ie"), ==, "national");
  g_assert_cmpstr (haven_notice_platforms_find_hotline (table, "FR"), ==, "network");
  g_assert_null (haven_notice_platforms_get_hosts (table, "national"));

  g_assert_null (haven_notice_platforms_get_name (table, "nothing"));
  g_assert_false (haven_notice_platforms_is_hotline (table, "nothing"));
  g_assert_cmpuint (g_strv_length ((GStrv) haven_notice_platforms_get_platform_ids (table)),
                    ==, 3);
  g_assert_cmpstr (haven_notice_platforms_get_platform_ids (table)[1], ==, "blog");
  g_assert_cmpstr (haven_notice_platforms_get_hotline_ids (table)[0], ==, "national");
}

static void
test_refused (void)
{
  const struct {
    const char *data;
    int code;
    const char *named;
  } cases[] = {
    { "name=Loose\n", HAVEN_NOTICE_PLATFORMS_ERROR_PARSE, NULL },
    { "[Platform a]\nname=A\nhosts=a.example;\nhost=b.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_KEY, "“host”" },
    { "[Hotline h]\nname=H\ncountries=*\nhosts=a.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_KEY, "“hosts”" },
    { "[Platforms a]\nname=A\nhosts=a.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_GROUP, "[Platforms a]" },
    { "[Platform A B]\nname=A\nhosts=a.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_GROUP, "[Platform A B]" },
    { "[Platform a]\nname=A\nhosts=a.example\n[Hotline a]\nname=A\ncountries=*\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_UNKNOWN_GROUP, "[Hotline a]" },
    { "[Platform a]\nhosts=a.example\n", HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY, "“name”" },
    { "[Platform a]\nname=A\n", HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY, "“hosts”" },
    { "[Platform a]\nname=A\nhosts= ; ;\n", HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY, "“hosts”" },
    { "[Hotline h]\nname=H\n", HAVEN_NOTICE_PLATFORMS_ERROR_MISSING_KEY, "“countries”" },
    { "[Platform a]\nname=A\nhosts=example.com;www.example.com;\n"
      "[Platform b]\nname=B\nhosts=b.example;EXAMPLE.com;\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_DUPLICATE_HOST, "“example.com”" },
    { "[Platform a]\nname=A\nhosts=a.example;a.example;\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_DUPLICATE_HOST, "“a.example”" },
    { "[Platform a]\nname=A\nhosts=com;\n", HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST, "“com”" },
    { "[Platform a]\nname=A\nhosts=https://a.example/;\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST, "“https://a.example/”" },
    { "[Platform a]\nname=A\nhosts=a..example;\n", HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST, NULL },
    { "[Platform a]\nname=A\nhosts=-a.example;\n", HAVEN_NOTICE_PLATFORMS_ERROR_BAD_HOST, NULL },
    { "[Platform a]\nname=A\nhosts=a.example\nweb-form=http://a.example/form\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL, "“http://a.example/form”" },
    { "[Platform a]\nname=A\nhosts=a.example\nweb-form=a.example/form\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL, "web-form" },
    { "[Platform a]\nname=A\nhosts=a.example\nguidance=mailto:a@a.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL, "guidance" },
    { "[Platform a]\nname=A\nhosts=a.example\nemail=notices at a.example\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL, "“notices at a.example”" },
    { "[Platform a]\nname=A\nhosts=a.example\nemail=https://a.example/\n",
      HAVEN_NOTICE_PLATFORMS_ERROR_BAD_CHANNEL, "email" },
    { "[Hotline h]\nname=H\ncountries=GBR;\n", HAVEN_NOTICE_PLATFORMS_ERROR_BAD_COUNTRY, "“GBR”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HavenNoticePlatforms) table = NULL;

      g_test_message ("%s", cases[i].data);
      table = haven_notice_platforms_new_from_data (cases[i].data, -1, &error);
      g_assert_null (table);
      g_assert_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, cases[i].code);
      if (cases[i].named != NULL && strstr (error->message, cases[i].named) == NULL)
        g_error ("“%s” does not name %s", error->message, cases[i].named);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenNoticePlatforms) table =
    haven_notice_platforms_new_from_file ("/nonexistent/platforms.ini", &error);

  g_assert_null (table);
  g_assert_error (error, HAVEN_NOTICE_PLATFORMS_ERROR, HAVEN_NOTICE_PLATFORMS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/platforms.ini"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/notice-platforms/shipped", test_shipped);
  g_test_add_func ("/haven/notice-platforms/lookup", test_lookup);
  g_test_add_func ("/haven/notice-platforms/getters", test_getters);
  g_test_add_func ("/haven/notice-platforms/refused", test_refused);
  g_test_add_func ("/haven/notice-platforms/missing-file", test_missing_file);

  return g_test_run ();
}
