/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-directory"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <sqlite3.h>

#include "haven-directory.h"

/* The service directory at scale: a synthetic HSDS directory of 100,000
 * services, imported with havenctl exactly as an operator would, then
 * 1,000 searches as the kiosk sends them.
 *
 *   bench-directory HAVENCTL [--services N] [--queries N] [--keep DIR] [--csv]
 *                   [--search-only FILE] [--save-results FILE] [--compare-results FILE]
 *
 * It prints figures: import time, database size, the import's peak RSS,
 * and search latency percentiles, overall and for the kinds of search
 * that cost most. It is not a pass/fail timer; it fails only when
 * something could not be measured. Targets (a 2-core machine): import
 * at most 5 s and 150 MB; opening at most 50 ms and 40 MB of anonymous
 * memory, measured in a new process as `havenctl directory search` pays
 * it, beside what SQLite alone pays to open the file; search p99 at most
 * 2 ms over the mixed searches, 4 ms for a first keystroke.
 *
 * --save-results writes what every search found (the services in order,
 * and a checksum of what is shown of them) and --compare-results checks a
 * later run against it, printing how many searches differ: a change that
 * makes searching quicker must not change its answers.
 *
 * The directory. What makes a search slow is how many services the
 * visitor's first letters match, so the text must be distributed like
 * real text, not drawn evenly from a few dozen words:
 *  - Each of nine languages (English, Spanish, French, German, Arabic,
 *    Vietnamese, Chinese, Russian, Polish) has a vocabulary of real words
 *    (function words, and the words help services use: "support", "fraud",
 *    "helpline", "apoyo", "الاحتيال", "lừa đảo", "诈骗" ...; some 550 in
 *    all) and 800-3,000 pseudo-words built from the language's syllables
 *    or letters, standing for the names, places and rarer words of a real
 *    directory: about 50,000 distinct words in the index. Words are drawn
 *    by rank with Zipf's law (frequency 1/rank): function words first,
 *    then the domain words interleaved with the pseudo-words. "support"
 *    ends up in seven services of ten and "the" in nearly every English
 *    one, as in a real directory of help services.
 *  - Names have 3-8 words (no function words), descriptions 20-80,
 *    organisation descriptions 10-30; a quarter of the services carry
 *    translations of their name and description into one or two other
 *    languages.
 *  - Areas follow where people live: 38 subdivisions of 12 countries with
 *    population-like weights (London holds an eighth of the local
 *    services, Cardiff one in eighty). 75% of services are local to one
 *    subdivision, 7% to 2-4 neighbouring ones, 13% national, 5% online
 *    (anywhere). A service's text is in its country's language, or for a
 *    quarter of them in a language of a community living there.
 *  - 1-3 taxonomy terms of the 13 the demo uses (5 of which are for every
 *    kind of harm), 1-3 languages spoken, 0-3 schedule rows (weekly hours,
 *    overnight, holiday closures, monthly evenings, 24 hours), half free.
 *
 * The searches are what the kiosk sends while a visitor types:
 *  - The kiosk's region is always set (the kiosk always passes it), drawn
 *    with the same weights as the services, since kiosks stand where
 *    people are; one in twenty kiosks is set to a whole country.
 *  - The visitor's language is the local one for 55%, another for 45%.
 *  - The text is the first 2-6 characters (1-3 for Chinese) of a real
 *    word of the visitor's language (the local one for 15% of foreign
 *    visitors), words chosen by the same Zipf ranks: visitors search for
 *    "support" and "fraud" far more than for "solicitor". Vietnamese is
 *    typed without its accents half of the time. Common prefixes such as
 *    "su" of "support", "he" of "help" or "ال" of Arabic nouns, which match
 *    most of a region's services, are in the mix at the rate this gives
 *    (about one search in five), and their figures are printed apart.
 *  - A category is set for 80% (the visitor said what happened; "other"
 *    sends none), the language filter for 20%, open now for 25% (at a
 *    random daytime hour of the week), free for 15%. At most 50 results,
 *    as the kiosk shows.
 * After the 1,000 searches, two kinds the kiosk also sends are timed
 * apart: a first keystroke (one letter), and no text at all (the page
 * opening on a category).
 *
 * With --csv the same directory is written as an HSDS tabular data
 * package (datapackage.json and one CSV file a table, rows linked by
 * ids), which is imported by another path (haven-data-package.c). */

static const char *const english_stop[] = {
  "the", "and", "for", "to", "of", "a", "in", "you", "your", "with", "we", "on", "or", "are",
  "is", "who", "can", "from", "by", "our", "at", "be", "have", "if", "all", "any", "about",
  "this", "that", "their",
};
/* Roughly the most frequent first. */
static const char *const english_domain[] = {
  "support", "help", "advice", "service", "victims", "online", "free", "confidential",
  "information", "people", "helpline", "crime", "fraud", "safety", "family", "legal", "abuse",
  "counselling", "report", "young", "community", "women", "phone", "centre", "children",
  "police", "scam", "account", "emotional", "practical", "recovery", "harassment", "security",
  "money", "identity", "theft", "specialist", "trained", "volunteers", "line", "chat", "email",
  "appointment", "referral", "crisis", "mental", "health", "wellbeing", "housing", "debt",
  "bank", "stolen", "hacked", "password", "cyber", "internet", "social", "media", "images",
  "intimate", "sextortion", "extortion", "threats", "stalking", "bullying", "hate", "domestic",
  "violence", "sexual", "exploitation", "grooming", "parents", "carers", "older", "refugees",
  "migrants", "students", "men", "lgbt", "disabled", "interpreters", "languages", "court",
  "solicitor", "rights", "claims", "compensation", "insurance", "reporting", "evidence",
  "screenshots", "removal", "takedown", "platform", "blackmail", "romance", "investment",
  "phishing", "malware", "ransomware", "devices", "computer", "privacy", "data", "protection",
  "trust", "independent", "charity", "national", "local", "regional", "weekend", "evening",
  "outreach", "casework", "advocacy", "therapy", "group", "peer", "listening", "guidance",
  "training", "workshops", "awareness", "prevention",
};
static const char *const spanish_stop[] = {
  "de", "la", "el", "y", "en", "para", "con", "los", "las", "que", "a", "por", "su", "del",
  "un", "una", "o", "se", "al",
};
static const char *const spanish_domain[] = {
  "apoyo", "ayuda", "víctimas", "servicio", "atención", "información", "gratuito",
  "confidencial", "asesoría", "jurídica", "psicológica", "línea", "denuncia", "estafa",
  "fraude", "acoso", "violencia", "familia", "mujeres", "niños", "jóvenes", "protección",
  "seguridad", "cuenta", "dinero", "robo", "identidad", "extorsión", "amenazas", "internet",
  "redes", "sociales", "abogado", "orientación", "centro", "comunidad", "emergencia", "policía",
  "salud", "mental", "derechos", "migrantes",
};
static const char *const french_stop[] = {
  "de", "la", "le", "et", "les", "des", "en", "pour", "à", "un", "une", "du", "avec", "vous",
  "aux", "par", "sur", "ou", "est",
};
static const char *const french_domain[] = {
  "aide", "soutien", "victimes", "service", "écoute", "gratuit", "confidentiel",
  "accompagnement", "juridique", "psychologique", "ligne", "plainte", "arnaque", "escroquerie",
  "fraude", "harcèlement", "violences", "famille", "femmes", "enfants", "jeunes", "protection",
  "sécurité", "compte", "argent", "vol", "identité", "chantage", "menaces", "internet",
  "réseaux", "sociaux", "avocat", "conseil", "centre", "association", "urgence", "police",
  "santé", "droits",
};
static const char *const german_stop[] = {
  "der", "die", "das", "und", "für", "in", "mit", "von", "zu", "den", "im", "bei", "auf", "ein",
  "eine", "oder", "ist", "sie",
};
static const char *const german_domain[] = {
  "hilfe", "beratung", "opfer", "unterstützung", "kostenlos", "vertraulich", "betrug", "online",
  "polizei", "anzeige", "rechtsberatung", "psychologische", "telefon", "familie", "frauen",
  "kinder", "jugendliche", "schutz", "sicherheit", "konto", "geld", "diebstahl", "identität",
  "erpressung", "bedrohung", "belästigung", "gewalt", "internet", "beratungsstelle", "anwalt",
  "zentrum", "verein", "notfall", "gesundheit", "rechte",
};
static const char *const arabic_stop[] = {
  "في", "من", "على", "و", "إلى", "عن", "مع", "أو", "هذا", "التي", "الذي", "لكل",
};
static const char *const arabic_domain[] = {
  "مساعدة", "دعم", "الضحايا", "الاحتيال", "استشارة", "قانونية", "خط", "الأزمات", "الأطفال",
  "النساء", "التحرش", "الابتزاز", "مجاني", "سري", "الشرطة", "الحساب", "خدمة", "المعلومات",
  "الأسرة", "العنف", "الحماية", "الأمن", "المال", "سرقة", "الهوية", "التهديد", "الإنترنت",
  "نفسي", "محامي", "مركز", "المجتمع", "الطوارئ", "الصحة", "حقوق", "اللاجئين", "بلاغ",
};
static const char *const vietnamese_stop[] = {
  "của", "và", "cho", "các", "những", "với", "trong", "là", "có", "được", "người", "tại",
};
/* Vietnamese writes a word as syllables apart: each is a token. */
static const char *const vietnamese_domain[] = {
  "hỗ trợ", "nạn nhân", "lừa đảo", "tư vấn", "pháp lý", "đường dây nóng", "trẻ em", "phụ nữ",
  "quấy rối", "miễn phí", "bảo mật", "công an", "tài khoản", "an toàn", "gia đình", "bạo lực",
  "tống tiền", "đe dọa", "mạng xã hội", "tâm lý", "luật sư", "trung tâm", "cộng đồng",
  "khẩn cấp", "sức khỏe", "quyền lợi", "thông tin", "dịch vụ", "tố cáo", "danh tính",
};
static const char *const chinese_stop[] = { "的", "和", "在", "为", "与", "及" };
static const char *const chinese_domain[] = {
  "援助", "支持", "受害者", "诈骗", "咨询", "法律", "热线", "心理", "辅导", "儿童", "妇女",
  "保护", "安全", "账户", "免费", "保密", "报警", "社区", "服务", "中心", "网络", "骚扰", "勒索",
  "威胁", "家庭", "暴力", "身份", "盗窃", "律师", "紧急", "健康", "权利", "信息", "帮助", "举报",
};
static const char *const russian_stop[] = {
  "и", "в", "на", "для", "с", "по", "из", "или", "от", "к", "о",
};
static const char *const russian_domain[] = {
  "помощь", "поддержка", "жертвы", "мошенничество", "консультация", "юридическая",
  "психологическая", "бесплатно", "конфиденциально", "горячая", "линия", "полиция",
  "заявление", "семья", "женщины", "дети", "защита", "безопасность", "аккаунт", "деньги",
  "кража", "личности", "вымогательство", "угрозы", "преследование", "насилие", "интернет",
  "адвокат", "центр", "сообщество", "здоровье", "права", "мигранты",
};
static const char *const polish_stop[] = {
  "i", "w", "na", "dla", "z", "do", "o", "lub", "od", "się",
};
static const char *const polish_domain[] = {
  "pomoc", "wsparcie", "ofiary", "oszustwo", "porada", "prawna", "psychologiczna",
  "bezpłatnie", "poufnie", "telefon", "zaufania", "policja", "zgłoszenie", "rodzina", "kobiety",
  "dzieci", "ochrona", "bezpieczeństwo", "konto", "pieniądze", "kradzież", "tożsamości",
  "szantaż", "groźby", "nękanie", "przemoc", "internet", "prawnik", "centrum", "społeczność",
  "zdrowie", "prawa",
};

typedef enum {
  SCRIPT_LATIN,
  SCRIPT_ARABIC,
  SCRIPT_CYRILLIC,
  SCRIPT_VIETNAMESE,
  SCRIPT_CHINESE,
} Script;

typedef enum {
  EN, ES, FR, DE, AR, VI, ZH, RU, PL, N_LANGUAGES,
} LanguageIndex;

typedef struct {
  const char *code;
  Script script;
  const char *const *stop;
  guint n_stop;
  const char *const *domain;
  guint n_domain;
  guint n_pseudo;
  /* Letters only this language uses, now and then in a pseudo-word. */
  const char *extra_letters;
} LanguageSpec;

#define LIST(list) list, G_N_ELEMENTS (list)

static const LanguageSpec language_specs[N_LANGUAGES] = {
  { "en", SCRIPT_LATIN, LIST (english_stop), LIST (english_domain), 3000, "" },
  { "es", SCRIPT_LATIN, LIST (spanish_stop), LIST (spanish_domain), 1500, "ñáéíóú" },
  { "fr", SCRIPT_LATIN, LIST (french_stop), LIST (french_domain), 1500, "éèêàçô" },
  { "de", SCRIPT_LATIN, LIST (german_stop), LIST (german_domain), 1500, "äöüß" },
  { "ar", SCRIPT_ARABIC, LIST (arabic_stop), LIST (arabic_domain), 1200, "" },
  { "vi", SCRIPT_VIETNAMESE, LIST (vietnamese_stop), LIST (vietnamese_domain), 800, "" },
  { "zh", SCRIPT_CHINESE, LIST (chinese_stop), LIST (chinese_domain), 1000, "" },
  { "ru", SCRIPT_CYRILLIC, LIST (russian_stop), LIST (russian_domain), 1000, "" },
  { "pl", SCRIPT_LATIN, LIST (polish_stop), LIST (polish_domain), 1000, "łąęśźżó" },
};

/* A vocabulary in rank order, with the running sums of its Zipf weights
 * for drawing a word by binary search. */
typedef struct {
  GPtrArray *words;
  double *cumulative;
} Sampler;

typedef struct {
  const LanguageSpec *spec;
  GPtrArray *pseudo;
  /* Descriptions: function words, then domain and pseudo-words. */
  Sampler text;
  /* Names: no function words. */
  Sampler names;
  /* What visitors type: the domain words alone, same order. */
  Sampler queries;
} Language;

typedef struct {
  const char *code;
  guint country;
  guint weight;
} Region;

typedef struct {
  const char *code;
  LanguageIndex language;
} Country;

static const Country countries[] = {
  { "GB", EN }, { "US", EN }, { "FR", FR }, { "ES", ES }, { "DE", DE }, { "VN", VI },
  { "CN", ZH }, { "EG", AR }, { "MA", AR }, { "CA", EN }, { "AU", EN }, { "IN", EN },
};

/* Weights roughly follow population. */
static const Region regions[] = {
  { "GB-LND", 0, 20 }, { "GB-BIR", 0, 6 }, { "GB-MAN", 0, 6 }, { "GB-LDS", 0, 4 },
  { "GB-GLG", 0, 4 }, { "GB-EDH", 0, 3 }, { "GB-LIV", 0, 3 }, { "GB-BST", 0, 3 },
  { "GB-SHF", 0, 3 }, { "GB-NET", 0, 2 }, { "GB-NGM", 0, 2 }, { "GB-CRF", 0, 2 },
  { "US-NY", 1, 8 }, { "US-CA", 1, 10 }, { "US-TX", 1, 7 }, { "US-IL", 1, 4 },
  { "US-FL", 1, 5 }, { "US-WA", 1, 3 }, { "FR-75", 2, 5 }, { "FR-13", 2, 3 },
  { "FR-69", 2, 3 }, { "ES-MD", 3, 4 }, { "ES-B", 3, 4 }, { "ES-V", 3, 2 },
  { "DE-BE", 4, 3 }, { "DE-HH", 4, 2 }, { "DE-BY", 4, 4 }, { "VN-SG", 5, 3 },
  { "VN-HN", 5, 3 }, { "CN-BJ", 6, 2 }, { "CN-SH", 6, 2 }, { "EG-C", 7, 2 },
  { "MA-CAS", 8, 1 }, { "CA-ON", 9, 4 }, { "CA-QC", 9, 3 }, { "AU-NSW", 10, 3 },
  { "IN-MH", 11, 2 }, { "IN-DL", 11, 2 },
};

/* The languages of communities a service may be written in, besides its
 * country's, and the languages of visitors from elsewhere. */
static const LanguageIndex community_languages[] = { EN, AR, ES, PL, VI, ZH, RU, FR, AR, ES };

static const char *const terms[] = {
  "haven-account-security", "haven-malware-recovery", "haven-fraud-support",
  "haven-identity-theft", "haven-image-abuse", "haven-sextortion", "haven-child-protection",
  "haven-harassment-support", "haven-victim-support", "haven-counselling", "haven-crisis-line",
  "haven-legal-advice", "haven-official-reporting",
};
static const char *const weekdays[] = {
  "MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH", "SA,SU", "MO,TU,WE,TH,FR,SA", "FR,SA",
};

#define PICK(rand, list) (list)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (list))]

static Language languages[N_LANGUAGES];
static guint total_region_weight;

static void
sampler_init (Sampler   *sampler,
              GPtrArray *words)
{
  double sum = 0;

  sampler->words = words;
  sampler->cumulative = g_new (double, words->len);
  for (guint i = 0; i < words->len; i++)
    {
      sum += 1.0 / (i + 1);
      sampler->cumulative[i] = sum;
    }
}

static void
sampler_clear (Sampler *sampler)
{
  g_clear_pointer (&sampler->words, g_ptr_array_unref);
  g_clear_pointer (&sampler->cumulative, g_free);
}

static guint
sampler_draw_rank (const Sampler *sampler,
                   GRand         *rand)
{
  double target = g_rand_double (rand) * sampler->cumulative[sampler->words->len - 1];
  guint low = 0, high = sampler->words->len - 1;

  while (low < high)
    {
      guint middle = (low + high) / 2;

      if (sampler->cumulative[middle] < target)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

static const char *
sampler_draw (const Sampler *sampler,
              GRand         *rand)
{
  return g_ptr_array_index (sampler->words, sampler_draw_rank (sampler, rand));
}

/* Appends one of the UTF-8 characters of @letters. */
static void
append_letter_of (GString    *out,
                  GRand      *rand,
                  const char *letters)
{
  glong n = g_utf8_strlen (letters, -1);
  const char *start = g_utf8_offset_to_pointer (letters, g_rand_int_range (rand, 0, n));

  g_string_append_len (out, start, g_utf8_next_char (start) - start);
}

static const char *const latin_onsets[] = {
  "b", "br", "c", "ch", "d", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "r", "s",
  "sh", "st", "t", "tr", "v", "w", "z", "", "", "bl", "cl", "fl",
};
static const char *const latin_vowels[] = { "a", "e", "i", "o", "u", "ai", "ea", "ou", "y", "ie" };
static const char *const latin_codas[] = { "", "", "", "n", "r", "s", "l", "m", "t", "nd", "st" };
static const char *const vietnamese_onsets[] = {
  "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "nh", "ng", "ph", "qu", "s", "t", "th",
  "tr", "v", "x",
};
static const char *const vietnamese_vowels[] = {
  "a", "à", "á", "ả", "ã", "ạ", "ă", "ằ", "â", "ấ", "e", "è", "é", "ê", "ế", "ề", "i", "ì", "í",
  "o", "ò", "ó", "ô", "ồ", "ố", "ơ", "ờ", "ớ", "u", "ù", "ú", "ư", "ừ", "ứ", "y",
};
static const char *const vietnamese_codas[] = {
  "", "", "n", "ng", "nh", "c", "ch", "t", "m", "p",
};
static const char cyrillic_consonants[] = "бвгдзклмнпрстфхцчшщ";
static const char cyrillic_vowels[] = "аеиоуыяю";
static const char arabic_letters[] = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
static const char chinese_characters[] =
  "人民中国大小上下天地山水火木金土日月年时分心手口目耳足身头面发言语文字书学生老师朋友家门"
  "路车马牛羊鱼鸟花草树林风雨雪云电光明白黑红黄绿青蓝东西南北前后左右内外高低长短多少新旧好坏"
  "开关出入来去走跑飞行住坐立看听说读写想知道问答请谢对错真假同异力量工作业务公司市场经济政治"
  "社会历史科技医院病药饭菜茶酒衣服鞋帽钱财物品价格买卖送收给拿放找用做成功失败平安和快乐悲伤"
  "爱恨情感信念希望梦想理由原因结果方法办法问题事件情况条件环境资源能源交通通讯网站平台软件硬件";

static char *
make_pseudo_word (const LanguageSpec *spec,
                  GRand              *rand)
{
  GString *word = g_string_new (NULL);
  guint n_syllables = g_rand_int_range (rand, 2, 4);

  switch (spec->script)
    {
    case SCRIPT_LATIN:
      for (guint i = 0; i < n_syllables; i++)
        {
          g_string_append (word, PICK (rand, latin_onsets));
          if (spec->extra_letters[0] != '\0' && g_rand_int_range (rand, 0, 8) == 0)
            append_letter_of (word, rand, spec->extra_letters);
          else
            g_string_append (word, PICK (rand, latin_vowels));
          g_string_append (word, PICK (rand, latin_codas));
        }
      break;

    case SCRIPT_CYRILLIC:
      for (guint i = 0; i < n_syllables; i++)
        {
          append_letter_of (word, rand, cyrillic_consonants);
          append_letter_of (word, rand, cyrillic_vowels);
          if (g_rand_boolean (rand))
            append_letter_of (word, rand, cyrillic_consonants);
        }
      break;

    case SCRIPT_ARABIC:
      /* The article "al-" begins a third of the nouns. */
      if (g_rand_int_range (rand, 0, 3) == 0)
        g_string_append (word, "ال");
      for (int i = g_rand_int_range (rand, 3, 7); i > 0; i--)
        append_letter_of (word, rand, arabic_letters);
      break;

    case SCRIPT_VIETNAMESE:
      for (guint i = 0; i < n_syllables - 1; i++)
        {
          if (i > 0)
            g_string_append_c (word, ' ');
          g_string_append (word, PICK (rand, vietnamese_onsets));
          g_string_append (word, PICK (rand, vietnamese_vowels));
          g_string_append (word, PICK (rand, vietnamese_codas));
        }
      break;

    case SCRIPT_CHINESE:
    default:
      for (guint i = 0; i < n_syllables - 1 + g_rand_int_range (rand, 0, 2); i++)
        append_letter_of (word, rand, chinese_characters);
      break;
    }

  return g_string_free (word, FALSE);
}

static void
languages_init (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    total_region_weight += regions[i].weight;

  for (guint l = 0; l < N_LANGUAGES; l++)
    {
      const LanguageSpec *spec = &language_specs[l];
      Language *language = &languages[l];
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      GPtrArray *text = g_ptr_array_new ();
      GPtrArray *names = g_ptr_array_new ();
      GPtrArray *queries = g_ptr_array_new ();
      guint next_domain = 0, next_pseudo = 0;

      language->spec = spec;
      language->pseudo = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < spec->n_stop; i++)
        g_hash_table_add (seen, (gpointer) spec->stop[i]);
      for (guint i = 0; i < spec->n_domain; i++)
        g_hash_table_add (seen, (gpointer) spec->domain[i]);
      while (language->pseudo->len < spec->n_pseudo)
        {
          char *word = make_pseudo_word (spec, rand);

          if (g_hash_table_contains (seen, word))
            {
              g_free (word);
              continue;
            }
          g_hash_table_add (seen, word);
          g_ptr_array_add (language->pseudo, word);
        }

      for (guint i = 0; i < spec->n_stop; i++)
        g_ptr_array_add (text, (gpointer) spec->stop[i]);
      /* Domain words take every other rank at the head of the content
       * words, pseudo-words the rest and the whole tail. */
      while (next_domain < spec->n_domain || next_pseudo < language->pseudo->len)
        {
          const char *word;

          if (next_domain < spec->n_domain &&
              (next_domain <= next_pseudo || next_pseudo >= language->pseudo->len))
            word = spec->domain[next_domain++];
          else
            word = g_ptr_array_index (language->pseudo, next_pseudo++);
          g_ptr_array_add (text, (gpointer) word);
          g_ptr_array_add (names, (gpointer) word);
        }
      for (guint i = 0; i < spec->n_domain; i++)
        g_ptr_array_add (queries, (gpointer) spec->domain[i]);

      sampler_init (&language->text, text);
      sampler_init (&language->names, names);
      sampler_init (&language->queries, queries);
    }
}

static void
languages_clear (void)
{
  for (guint l = 0; l < N_LANGUAGES; l++)
    {
      sampler_clear (&languages[l].text);
      sampler_clear (&languages[l].names);
      sampler_clear (&languages[l].queries);
      g_clear_pointer (&languages[l].pseudo, g_ptr_array_unref);
    }
}

static guint
pick_region (GRand *rand)
{
  guint target = g_rand_int_range (rand, 0, total_region_weight);

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      if (target < regions[i].weight)
        return i;
      target -= regions[i].weight;
    }

  return 0;
}

/* @n_words words of @language, as JSON string contents (no word needs
 * escaping). Chinese is written without spaces. */
static void
append_words (GString        *out,
              GRand          *rand,
              LanguageIndex   language,
              const Sampler  *sampler,
              guint           n_words)
{
  const char *separator = languages[language].spec->script == SCRIPT_CHINESE ? "" : " ";

  for (guint i = 0; i < n_words; i++)
    {
      if (i > 0)
        g_string_append (out, separator);
      g_string_append (out, sampler_draw (sampler, rand));
    }
}

static void
append_name (GString       *out,
             GRand         *rand,
             LanguageIndex  language,
             guint          n_words)
{
  append_words (out, rand, language, &languages[language].names, n_words);
}

static void
append_text (GString       *out,
             GRand         *rand,
             LanguageIndex  language,
             guint          n_words)
{
  append_words (out, rand, language, &languages[language].text, n_words);
}

static void
append_schedule (GString *out,
                 GRand   *rand,
                 guint    service,
                 guint    row)
{
  guint kind = g_rand_int_range (rand, 0, 10);
  int opens = g_rand_int_range (rand, 7, 11);
  int closes = g_rand_int_range (rand, 16, 21);

  g_string_append_printf (out, "%s{\"id\":\"sch-%u-%u\",", row > 0 ? "," : "", service, row);
  if (kind == 0)
    g_string_append (out, "\"opens_at\":\"00:00\",\"closes_at\":\"00:00\"");
  else if (kind == 1)
    g_string_append (out, "\"freq\":\"WEEKLY\",\"byday\":\"FR,SA\",\"opens_at\":\"22:00\","
                          "\"closes_at\":\"04:00\"");
  else if (kind == 2)
    g_string_append (out, "\"valid_from\":\"2026-12-24\",\"valid_to\":\"2026-12-26\"");
  else if (kind == 3)
    g_string_append_printf (out, "\"freq\":\"MONTHLY\",\"byday\":\"%dMO\",\"opens_at\":\"18:00\","
                                 "\"closes_at\":\"20:00\"", g_rand_int_range (rand, 1, 5));
  else
    g_string_append_printf (out, "\"freq\":\"WEEKLY\",\"byday\":\"%s\",\"opens_at\":\"%02d:%s\","
                                 "\"closes_at\":\"%02d:%s\"",
                            PICK (rand, weekdays),
                            opens, g_rand_boolean (rand) ? "00" : "30",
                            closes, g_rand_boolean (rand) ? "00" : "30");
  g_string_append (out, ",\"description\":\"Opening hours\"}");
}

/* The organisation is the same for four services in a row. */
typedef struct {
  guint index;
  LanguageIndex language;
  GString *name;
  GString *description;
} Organization;

static void
append_service (GString      *out,
                GRand        *rand,
                Organization *organization,
                guint         index)
{
  guint area = g_rand_int_range (rand, 0, 100);
  guint region = pick_region (rand);
  guint country = regions[region].country;
  LanguageIndex language = countries[country].language;
  guint n_languages = g_rand_int_range (rand, 1, 4);
  guint n_terms = g_rand_int_range (rand, 1, 4);
  guint n_schedules = g_rand_int_range (rand, 0, 4);

  /* A quarter written for a community of another language. */
  if (g_rand_int_range (rand, 0, 4) == 0)
    language = PICK (rand, community_languages);

  /* Online services belong to no region; their text stays English. */
  if (area >= 95)
    language = EN;

  if (organization->name->len == 0 || index / 4 != organization->index)
    {
      organization->index = index / 4;
      organization->language = language;
      g_string_truncate (organization->name, 0);
      g_string_truncate (organization->description, 0);
      append_name (organization->name, rand, language, g_rand_int_range (rand, 2, 6));
      append_text (organization->description, rand, language, g_rand_int_range (rand, 10, 31));
    }

  g_string_append_printf (out, "%s{\"id\":\"svc-%07u\",\"status\":\"active\",\"name\":\"",
                          index > 0 ? ",\n" : "", index);
  append_name (out, rand, language, g_rand_int_range (rand, 3, 9));
  if (g_rand_int_range (rand, 0, 10) < 3)
    {
      g_string_append (out, "\",\"alternate_name\":\"");
      append_name (out, rand, language, g_rand_int_range (rand, 2, 5));
    }
  g_string_append (out, "\",\"description\":\"");
  append_text (out, rand, language, g_rand_int_range (rand, 20, 81));
  g_string_append_printf (out, "\",\"url\":\"https://service-%u.example.org\","
                               "\"email\":\"help@service-%u.example.org\","
                               "\"assured_date\":\"2026-%02d-%02d\",\"x_source\":\"Synthetic\","
                               "\"fees_description\":\"%s\"",
                          index, index, g_rand_int_range (rand, 1, 13),
                          g_rand_int_range (rand, 1, 29),
                          g_rand_boolean (rand) ? "Free" : "Some sessions cost £10");

  g_string_append_printf (out, ",\"organization\":{\"id\":\"org-%u\",\"name\":\"%s\","
                               "\"description\":\"%s\"}",
                          organization->index, organization->name->str,
                          organization->description->str);

  if (g_rand_int_range (rand, 0, 4) == 0)
    {
      guint n_translations = g_rand_int_range (rand, 1, 3);

      g_string_append (out, ",\"x_translations\":{");
      for (guint i = 0; i < n_translations; i++)
        {
          LanguageIndex other = i == 0 ? PICK (rand, community_languages) : EN;

          if (other == language)
            other = language == EN ? AR : EN;
          g_string_append_printf (out, "%s\"%s\":{\"name\":\"", i > 0 ? "," : "",
                                  languages[other].spec->code);
          append_name (out, rand, other, g_rand_int_range (rand, 3, 9));
          g_string_append (out, "\",\"description\":\"");
          append_text (out, rand, other, g_rand_int_range (rand, 10, 31));
          g_string_append (out, "\"}");
        }
      g_string_append_c (out, '}');
    }

  g_string_append_printf (out, ",\"phones\":[{\"id\":\"ph-%u\",\"number\":\"0%03d %03d %04d\","
                               "\"description\":\"Helpline\"}]",
                          index, g_rand_int_range (rand, 100, 999),
                          g_rand_int_range (rand, 100, 999), g_rand_int_range (rand, 0, 9999));

  g_string_append (out, ",\"languages\":[");
  for (guint i = 0; i < n_languages; i++)
    g_string_append_printf (out, "%s{\"id\":\"lang-%u-%u\",\"code\":\"%s\"}", i > 0 ? "," : "",
                            index, i,
                            languages[i == 0 ? language
                                             : PICK (rand, community_languages)].spec->code);
  g_string_append_c (out, ']');

  if (area < 75)
    g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Area\","
                                 "\"x_region_codes\":[\"%s\"]}]",
                            index, regions[region].code);
  else if (area < 82)
    {
      /* Neighbouring areas: the next subdivisions of the same country. */
      guint n_codes = g_rand_int_range (rand, 2, 5);

      g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Areas\","
                                   "\"x_region_codes\":[\"%s\"",
                              index, regions[region].code);
      for (guint i = region + 1; i < region + n_codes && i < G_N_ELEMENTS (regions) &&
                                 regions[i].country == country; i++)
        g_string_append_printf (out, ",\"%s\"", regions[i].code);
      g_string_append (out, "]}]");
    }
  else if (area < 95)
    g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Country\","
                                 "\"x_region_codes\":[\"%s\"]}]",
                            index, countries[country].code);
  else if (area < 98)
    g_string_append_printf (out, ",\"service_areas\":[{\"id\":\"sa-%u\",\"name\":\"Online\","
                                 "\"x_region_codes\":[\"*\"]}]",
                            index);

  /* Local services have an office; the rest are lines and websites
   * (with no area and no address, a service counts for anywhere). */
  if (area < 82)
    g_string_append_printf (out, ",\"service_at_locations\":[{\"id\":\"sal-%u\",\"location\":{"
                                 "\"id\":\"loc-%u\",\"name\":\"Office\",\"location_type\":"
                                 "\"physical\",\"addresses\":[{\"id\":\"ad-%u\",\"address_1\":"
                                 "\"%u High Street\",\"city\":\"Town\","
                                 "\"postal_code\":\"AB1 2CD\","
                                 "\"country\":\"%s\"}]}}]",
                            index, index, index, g_rand_int_range (rand, 1, 300),
                            countries[country].code);

  g_string_append (out, ",\"schedules\":[");
  for (guint i = 0; i < n_schedules; i++)
    append_schedule (out, rand, index, i);
  g_string_append_c (out, ']');

  g_string_append (out, ",\"attributes\":[");
  for (guint i = 0; i < n_terms; i++)
    {
      const char *term = PICK (rand, terms);

      g_string_append_printf (out, "%s{\"id\":\"at-%u-%u\",\"taxonomy_term\":{\"id\":\"%s\","
                                   "\"code\":\"%s\",\"name\":\"%s\",\"taxonomy\":\"haven\"}}",
                              i > 0 ? "," : "", index, i, term, term, term + 6);
    }
  g_string_append (out, "]}");
}

/* The data package: each record of the JSON directory cut into the rows
 * of the tables it stands for, linked by ids. */
enum {
  TABLE_SERVICES,
  TABLE_ORGANIZATIONS,
  TABLE_PHONES,
  TABLE_LANGUAGES,
  TABLE_SERVICE_AREAS,
  TABLE_SERVICE_AT_LOCATIONS,
  TABLE_LOCATIONS,
  TABLE_ADDRESSES,
  TABLE_SCHEDULES,
  TABLE_ATTRIBUTES,
  TABLE_TAXONOMY_TERMS,
  N_TABLES,
};

static const struct {
  const char *name;
  const char *columns[13];
} tables[N_TABLES] = {
  { "services", { "id", "organization_id", "name", "alternate_name", "description", "status",
                  "url", "email", "assured_date", "x_source", "fees_description",
                  "x_translations", NULL } },
  { "organizations", { "id", "name", "description", NULL } },
  { "phones", { "id", "service_id", "number", "description", NULL } },
  { "languages", { "id", "service_id", "code", NULL } },
  { "service_areas", { "id", "service_id", "name", "x_region_codes", NULL } },
  { "service_at_locations", { "id", "service_id", "location_id", NULL } },
  { "locations", { "id", "name", "location_type", NULL } },
  { "addresses", { "id", "location_id", "address_1", "city", "postal_code", "country", NULL } },
  { "schedules", { "id", "service_id", "freq", "byday", "opens_at", "closes_at", "valid_from",
                   "valid_to", "description", NULL } },
  { "attributes", { "id", "link_id", "link_entity", "taxonomy_term_id", NULL } },
  { "taxonomy_terms", { "id", "code", "name", "taxonomy", NULL } },
};

static void
append_cell (GString    *out,
             const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A row of @table from the members of @object; @link_column, when set, is
 * @link_value (the id of the row it belongs to). Lists of strings are one
 * cell of comma-separated values, objects are JSON in a cell. */
static void
append_row (GString    *out,
            guint       table,
            JsonObject *object,
            const char *link_column,
            const char *link_value)
{
  for (guint i = 0; tables[table].columns[i] != NULL; i++)
    {
      const char *column = tables[table].columns[i];
      JsonNode *node = json_object_get_member (object, column);

      if (i > 0)
        g_string_append_c (out, ',');
      if (link_column != NULL && g_str_equal (column, link_column))
        append_cell (out, link_value);
      else if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      else if (JSON_NODE_HOLDS_VALUE (node))
        append_cell (out, json_node_get_string (node));
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          g_autoptr(GString) list = g_string_new (NULL);

          for (guint j = 0; j < json_array_get_length (array); j++)
            g_string_append_printf (list, "%s%s", j > 0 ? "," : "",
                                    json_array_get_string_element (array, j));
          append_cell (out, list->str);
        }
      else
        {
          g_autofree char *json = json_to_string (node, FALSE);

          append_cell (out, json);
        }
    }
  g_string_append_c (out, '\n');
}

static void
append_rows (GString    *out,
             guint       table,
             JsonObject *service,
             const char *member,
             const char *link_column,
             const char *link_value)
{
  JsonArray *array = json_object_has_member (service, member)
                     ? json_object_get_array_member (service, member) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    append_row (out, table, json_array_get_object_element (array, i), link_column, link_value);
}

static void
split_record (GString    **out,
              GHashTable  *written,
              const char  *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *service, *organization;
  JsonArray *links, *attributes;
  const char *id;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("The generated record is not JSON: %s", error->message);
  service = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_string_member (service, "id");

  organization = json_object_get_object_member (service, "organization");
  append_row (out[TABLE_SERVICES], TABLE_SERVICES, service, "organization_id",
              json_object_get_string_member (organization, "id"));
  if (g_hash_table_add (written, g_strdup (json_object_get_string_member (organization, "id"))))
    append_row (out[TABLE_ORGANIZATIONS], TABLE_ORGANIZATIONS, organization, NULL, NULL);

  append_rows (out[TABLE_PHONES], TABLE_PHONES, service, "phones", "service_id", id);
  append_rows (out[TABLE_LANGUAGES], TABLE_LANGUAGES, service, "languages", "service_id", id);
  append_rows (out[TABLE_SERVICE_AREAS], TABLE_SERVICE_AREAS, service, "service_areas",
               "service_id", id);
  append_rows (out[TABLE_SCHEDULES], TABLE_SCHEDULES, service, "schedules", "service_id", id);

  links = json_object_has_member (service, "service_at_locations")
          ? json_object_get_array_member (service, "service_at_locations") : NULL;
  for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      JsonObject *location = json_object_get_object_member (link, "location");
      const char *location_id = json_object_get_string_member (location, "id");

      json_object_set_string_member (link, "location_id", location_id);
      append_row (out[TABLE_SERVICE_AT_LOCATIONS], TABLE_SERVICE_AT_LOCATIONS, link,
                  "service_id", id);
      append_row (out[TABLE_LOCATIONS], TABLE_LOCATIONS, location, NULL, NULL);
      append_rows (out[TABLE_ADDRESSES], TABLE_ADDRESSES, location, "addresses", "location_id",
                   location_id);
    }

  attributes = json_object_get_array_member (service, "attributes");
  for (guint i = 0; i < json_array_get_length (attributes); i++)
    {
      JsonObject *attribute = json_array_get_object_element (attributes, i);
      JsonObject *term = json_object_get_object_member (attribute, "taxonomy_term");
      const char *term_id = json_object_get_string_member (term, "id");

      json_object_set_string_member (attribute, "link_entity", "service");
      json_object_set_string_member (attribute, "taxonomy_term_id", term_id);
      append_row (out[TABLE_ATTRIBUTES], TABLE_ATTRIBUTES, attribute, "link_id", id);
      if (g_hash_table_add (written, g_strdup (term_id)))
        append_row (out[TABLE_TAXONOMY_TERMS], TABLE_TAXONOMY_TERMS, term, NULL, NULL);
    }
}

/* The same services as generate() writes, as a data package in @folder. */
static void
generate_package (const char *folder,
                  guint       n_services)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr(GString) record = g_string_sized_new (16 * 1024);
  g_autoptr(GString) manifest = g_string_new ("{\"name\": \"bench\", \"resources\": [");
  g_autoptr(GHashTable) written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *manifest_path = g_build_filename (folder, "datapackage.json", NULL);
  Organization organization = { 0, EN, g_string_new (NULL), g_string_new (NULL) };
  GString *out[N_TABLES];
  FILE *files[N_TABLES];

  for (guint t = 0; t < N_TABLES; t++)
    {
      g_autofree char *name = g_strconcat (tables[t].name, ".csv", NULL);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *header = g_strjoinv (",", (char **) tables[t].columns);

      files[t] = g_fopen (path, "w");
      g_assert_nonnull (files[t]);
      out[t] = g_string_sized_new (256 * 1024);
      g_string_append_printf (out[t], "%s\n", header);
      g_string_append_printf (manifest, "%s{\"name\": \"%s\", \"path\": \"%s\"}",
                              t > 0 ? ", " : "", tables[t].name, name);
    }
  g_string_append (manifest, "]}\n");
  g_assert_true (g_file_set_contents (manifest_path, manifest->str, -1, NULL));

  for (guint i = 0; i < n_services; i++)
    {
      g_string_truncate (record, 0);
      append_service (record, rand, &organization, i);
      /* Past the ",\n" that separates records in the array. */
      split_record (out, written, record->str + (i > 0 ? 2 : 0));

      for (guint t = 0; t < N_TABLES; t++)
        {
          if (out[t]->len > 128 * 1024 || i + 1 == n_services)
            {
              fwrite (out[t]->str, 1, out[t]->len, files[t]);
              g_string_truncate (out[t], 0);
            }
        }
    }

  for (guint t = 0; t < N_TABLES; t++)
    {
      fclose (files[t]);
      g_string_free (out[t], TRUE);
    }
  g_string_free (organization.name, TRUE);
  g_string_free (organization.description, TRUE);
}

static gint64
folder_size (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  gint64 size = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      struct stat info;

      if ((g_str_has_suffix (name, ".csv") || g_str_has_suffix (name, ".json")) &&
          g_stat (path, &info) == 0)
        size += info.st_size;
    }

  return size;
}

static void
remove_package (const char *folder)
{
  g_autofree char *manifest = g_build_filename (folder, "datapackage.json", NULL);

  for (guint t = 0; t < N_TABLES; t++)
    {
      g_autofree char *name = g_strconcat (tables[t].name, ".csv", NULL);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_unlink (manifest);
}

static void
generate (const char *path,
          guint       n_services)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr(GString) chunk = g_string_sized_new (1024 * 1024);
  Organization organization = { 0, EN, g_string_new (NULL), g_string_new (NULL) };
  FILE *file = g_fopen (path, "w");

  g_assert_nonnull (file);
  fputs ("[\n", file);
  for (guint i = 0; i < n_services; i++)
    {
      append_service (chunk, rand, &organization, i);
      if (chunk->len > 512 * 1024)
        {
          fwrite (chunk->str, 1, chunk->len, file);
          g_string_truncate (chunk, 0);
        }
    }
  fwrite (chunk->str, 1, chunk->len, file);
  fputs ("\n]\n", file);
  fclose (file);

  g_string_free (organization.name, TRUE);
  g_string_free (organization.description, TRUE);
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The CPU time of this thread: on a shared machine, what a search cost
 * itself, apart from the time other processes had the core. */
static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gboolean
run_import (const char *havenctl,
            const char *source,
            const char *db,
            double     *seconds,
            double     *cpu_seconds,
            long       *peak_kib)
{
  const char *argv[] = { havenctl, "directory", "import", source, "--db", db, NULL };
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  GPid pid;
  int status;
  gint64 start = now_ns ();

  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                      &error))
    {
      g_printerr ("Cannot run %s: %s\n", havenctl, error->message);
      return FALSE;
    }

  if (wait4 (pid, &status, 0, &usage) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("The import failed\n");
      return FALSE;
    }

  *seconds = (now_ns () - start) / 1e9;
  /* The machine may be shared: what the import itself used, apart. */
  *cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                 usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  *peak_kib = usage.ru_maxrss;
  return TRUE;
}

/* Kinds of search whose figures are printed apart. */
enum {
  KIND_ALL,
  KIND_COMMON,
  KIND_TYPED_2,
  KIND_TYPED_3,
  KIND_TYPED_4_TO_6,
  KIND_CATEGORY,
  KIND_NO_CATEGORY,
  KIND_OPEN_NOW,
  KIND_FIRST_KEYSTROKE,
  KIND_BROWSE,
  N_KINDS,
};

static const char *const kind_names[N_KINDS] = {
  "all",
  "common prefixes",
  "2 characters",
  "3 characters",
  "4-6 characters",
  "with category",
  "without category",
  "open now",
  "first keystroke",
  "no text",
};

/* The commonest words of each language: their first two or three letters
 * are the common prefixes. */
#define N_COMMON_WORDS 5

static char *
type_word (GRand       *rand,
           const char  *word,
           Script       script,
           guint        n_typed)
{
  g_autofree char *typed = NULL;

  typed = g_utf8_substring (word, 0, MIN ((glong) n_typed, g_utf8_strlen (word, -1)));

  /* Vietnamese on a keyboard without its accents. */
  if (script == SCRIPT_VIETNAMESE && g_rand_boolean (rand))
    {
      g_autofree char *decomposed = g_utf8_normalize (typed, -1, G_NORMALIZE_NFD);
      GString *plain = g_string_new (NULL);

      for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c == 0x0111)
            g_string_append_c (plain, 'd');
          else if (!g_unichar_ismark (c))
            g_string_append_unichar (plain, c);
        }
      return g_string_free (plain, FALSE);
    }

  return g_steal_pointer (&typed);
}

typedef enum {
  TYPING_WORD,
  TYPING_FIRST_KEY,
  TYPING_NOTHING,
} Typing;

/* A search as the kiosk sends it; @kinds gets the kinds it counts for. */
static HavenDirectoryQuery *
make_query (GRand      *rand,
            GTimeZone  *zone,
            Typing      typing,
            gboolean   *kinds)
{
  HavenDirectoryQuery *query = haven_directory_query_new ();
  const char *const *category_ids = haven_request_get_category_ids ();
  guint region = pick_region (rand);
  LanguageIndex local = countries[regions[region].country].language;
  LanguageIndex visitor = local;
  LanguageIndex typed_in;
  const Language *language;
  guint n_typed;
  guint rank;

  memset (kinds, 0, N_KINDS * sizeof (gboolean));

  if (g_rand_int_range (rand, 0, 20) == 0)
    query->region = g_strdup (countries[regions[region].country].code);
  else
    query->region = g_strdup (regions[region].code);

  if (g_rand_int_range (rand, 0, 100) >= 55)
    visitor = PICK (rand, community_languages);
  typed_in = visitor != local && g_rand_int_range (rand, 0, 100) < 15 ? local : visitor;
  query->display_language = g_strdup (language_specs[visitor].code);

  language = &languages[typed_in];
  rank = sampler_draw_rank (&language->queries, rand);
  /* A Chinese word is two or three characters. */
  if (language->spec->script == SCRIPT_CHINESE)
    n_typed = g_rand_int_range (rand, 1, 4);
  else
    n_typed = g_rand_int_range (rand, 2, 7);

  if (typing == TYPING_WORD)
    {
      query->text = type_word (rand, g_ptr_array_index (language->queries.words, rank),
                               language->spec->script, n_typed);
      n_typed = g_utf8_strlen (query->text, -1);
      kinds[KIND_ALL] = TRUE;
      kinds[KIND_COMMON] = rank < N_COMMON_WORDS && n_typed <= 3;
      kinds[n_typed <= 2 ? KIND_TYPED_2 : n_typed == 3 ? KIND_TYPED_3 : KIND_TYPED_4_TO_6] = TRUE;
    }
  else if (typing == TYPING_FIRST_KEY)
    {
      query->text = type_word (rand, g_ptr_array_index (language->queries.words, rank),
                               language->spec->script, 1);
      kinds[KIND_FIRST_KEYSTROKE] = TRUE;
    }
  else
    kinds[KIND_BROWSE] = TRUE;

  /* The kiosk sends no category for "other". */
  if (g_rand_int_range (rand, 0, 100) < 80)
    {
      guint category = g_rand_int_range (rand, 0, HAVEN_DIRECTORY_N_CATEGORIES - 1);

      query->category = g_strdup (category_ids[category]);
    }
  if (g_rand_int_range (rand, 0, 100) < 20)
    query->language = g_strdup (language_specs[visitor].code);
  if (g_rand_int_range (rand, 0, 100) < 25)
    query->open_now = TRUE;
  if (g_rand_int_range (rand, 0, 100) < 15)
    query->free = TRUE;

  /* A daytime hour of the week of Monday 2 March 2026. */
  query->at = g_date_time_new (zone, 2026, 3, 2 + g_rand_int_range (rand, 0, 7),
                               g_rand_int_range (rand, 8, 21), g_rand_int_range (rand, 0, 60), 0);
  query->limit = 50;

  if (kinds[KIND_ALL])
    {
      kinds[query->category != NULL ? KIND_CATEGORY : KIND_NO_CATEGORY] = TRUE;
      kinds[KIND_OPEN_NOW] = query->open_now;
    }

  return query;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The nearest-rank percentile: the smallest value that at least
 * @fraction of the values do not exceed. */
static double
percentile (GArray *sorted,
            double  fraction)
{
  double position = fraction * sorted->len;
  guint rank = (guint) position;

  if (rank < position)
    rank++;

  return g_array_index (sorted, double, CLAMP (rank, 1, sorted->len) - 1);
}

/* What a search returned, as one line of a results file: the number of
 * matches, the services in order, and a checksum of what the kiosk shows
 * of each beyond its text (categories, reach, hours today, open now, the
 * next opening), so that a change that keeps the order but breaks those
 * is caught too. */
static char *
describe_results (GListModel *results,
                  guint       n_matches)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autoptr(GString) shown = g_string_new (NULL);

  for (guint j = 0; j < g_list_model_get_n_items (results); j++)
    {
      g_autoptr(HavenService) service = g_list_model_get_item (results, j);
      g_autofree char *categories =
        g_strjoinv (",", (char **) haven_service_get_categories (service));

      g_string_append_printf (ids, "%s%s", j > 0 ? " " : "", haven_service_get_id (service));
      g_string_append_printf (shown, "%s|%s|%s|%s|%d|%d|%d|%d|%s|%s|%s\n",
                              haven_service_get_name (service),
                              haven_service_get_organization (service),
                              haven_service_get_description (service), categories,
                              haven_service_get_reach (service),
                              haven_service_get_has_hours (service),
                              haven_service_get_open_now (service),
                              haven_service_get_always_open (service),
                              haven_service_get_hours_today (service),
                              haven_service_get_next_opening (service),
                              haven_service_get_fees (service));
    }

  return g_strdup_printf ("%u\t%s\t%08x", n_matches, ids->str, g_str_hash (shown->str));
}

static gboolean
run_searches (HavenDirectory *directory,
              GRand          *rand,
              GTimeZone      *zone,
              int             n_queries,
              Typing          typing,
              gboolean        verbose,
              GArray        **latencies,
              GArray        **cpu_times,
              guint64        *matches,
              GPtrArray      *lines)
{
  for (int i = 0; i < n_queries; i++)
    {
      gboolean kinds[N_KINDS];
      g_autoptr(HavenDirectoryQuery) query = make_query (rand, zone, typing, kinds);
      g_autoptr(GListModel) results = NULL;
      g_autoptr(GError) error = NULL;
      guint n_matches = 0;
      gint64 start, cpu_start;
      double ms, cpu_ms;

      start = now_ns ();
      cpu_start = thread_cpu_ns ();
      results = haven_directory_search (directory, query, &n_matches, &error);
      cpu_ms = (thread_cpu_ns () - cpu_start) / 1e6;
      ms = (now_ns () - start) / 1e6;
      if (results == NULL)
        {
          g_printerr ("A search failed: %s\n", error->message);
          return FALSE;
        }

      if (lines != NULL || verbose)
        {
          char *line = describe_results (results, n_matches);

          if (verbose)
            g_print ("%8.2f ms %8.2f cpu %6u matches %08x  text=%s region=%s category=%s "
                     "language=%s open_now=%d free=%d\n",
                     ms, cpu_ms, n_matches, g_str_hash (line), query->text, query->region,
                     query->category, query->language, query->open_now, query->free);
          if (lines != NULL)
            g_ptr_array_add (lines, line);
          else
            g_free (line);
        }
      for (guint k = 0; k < N_KINDS; k++)
        {
          if (kinds[k])
            {
              g_array_append_val (latencies[k], ms);
              g_array_append_val (cpu_times[k], cpu_ms);
              matches[k] += n_matches;
            }
        }
    }

  return TRUE;
}

static void
print_kind (GArray     **latencies,
            GArray     **cpu_times,
            guint64     *matches,
            guint        kind)
{
  GArray *sorted = latencies[kind];
  GArray *cpu = cpu_times[kind];
  double sum = 0;

  if (sorted->len == 0)
    return;

  g_array_sort (sorted, compare_doubles);
  g_array_sort (cpu, compare_doubles);
  for (guint i = 0; i < sorted->len; i++)
    sum += g_array_index (sorted, double, i);

  g_print ("  %-17s %4u queries  p50 %6.2f  p90 %6.2f  p99 %6.2f  max %6.2f  mean %6.2f ms"
           "  %6.0f matches  CPU p50 %5.2f  p99 %5.2f ms\n",
           kind_names[kind], sorted->len, percentile (sorted, 0.5), percentile (sorted, 0.9),
           percentile (sorted, 0.99), percentile (sorted, 1.0), sum / sorted->len,
           (double) matches[kind] / sorted->len, percentile (cpu, 0.5), percentile (cpu, 0.99));
}

/* RssAnon of this process, in KiB, from /proc/self/status: the memory a
 * process holds of its own, not the pages of files it maps, which the
 * kernel shares between processes and drops when it needs the room. */
static long
read_rss_anon (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "RssAnon:")) == NULL)
    return -1;

  return strtol (line + strlen ("RssAnon:"), NULL, 10);
}

/* The child's side of measure_open(): opens @db once, as a fresh
 * `havenctl directory search` would, and prints the wall time and the
 * anonymous memory it took. With @floor, only what any reader of the
 * file pays: SQLite opens it and reads its version. */
static int
open_in_child (const char *db,
               gboolean    floor)
{
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;
  long before, after;
  gint64 start;
  double ms;

  before = read_rss_anon ();
  start = now_ns ();
  if (floor)
    {
      g_autofree char *uri = g_strconcat ("file:", db, "?immutable=1", NULL);
      sqlite3_stmt *statement = NULL;
      sqlite3 *connection = NULL;
      int version = 0;

      if (sqlite3_open_v2 (uri, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL)
          == SQLITE_OK &&
          sqlite3_prepare_v2 (connection, "PRAGMA user_version", -1, &statement, NULL)
          == SQLITE_OK &&
          sqlite3_step (statement) == SQLITE_ROW)
        version = sqlite3_column_int (statement, 0);
      sqlite3_finalize (statement);
      ms = (now_ns () - start) / 1e6;
      after = read_rss_anon ();
      sqlite3_close (connection);
      if (version <= 0)
        return 1;
    }
  else
    {
      directory = haven_directory_open (db, NULL, &error);
      ms = (now_ns () - start) / 1e6;
      after = read_rss_anon ();
      if (directory == NULL)
        {
          g_printerr ("Cannot open the directory: %s\n", error->message);
          return 1;
        }
    }

  g_print ("%.3f %ld\n", ms, after - before);
  return 0;
}

/* Opens the directory in @n fresh processes (this program again) and
 * gives the medians of the wall time and of the RssAnon it added: the
 * cost a `havenctl directory search` pays, or a kiosk carries, before it
 * searches at all. */
static gboolean
measure_open (const char *self_path,
              const char *db,
              gboolean    floor,
              guint       n,
              double     *ms,
              double     *rss_anon_kib)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < n; i++)
    {
      const char *argv[] = { self_path, "x", floor ? "--open-floor-in-child" : "--open-in-child",
                             db, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      double time, size;
      int status;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                         &status, &error) ||
          !g_spawn_check_wait_status (status, NULL) ||
          sscanf (out, "%lf %lf", &time, &size) != 2)
        {
          g_printerr ("Cannot measure the opening of %s in a new process\n", db);
          return FALSE;
        }
      g_array_append_val (times, time);
      g_array_append_val (sizes, size);
    }

  g_array_sort (times, compare_doubles);
  g_array_sort (sizes, compare_doubles);
  *ms = g_array_index (times, double, n / 2);
  *rss_anon_kib = g_array_index (sizes, double, n / 2);
  return TRUE;
}

/* Checks this run's results against those an earlier run saved: the
 * same searches (the random seeds are fixed) must find the same services
 * in the same order, and show the same of them. */
static gboolean
compare_results (const char *path,
                 GPtrArray  *lines)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) saved = NULL;
  guint n_saved, n_ids = 0, n_shown = 0, n_matches = 0;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      g_printerr ("Cannot read the results to compare: %s\n", error->message);
      return FALSE;
    }
  saved = g_strsplit (contents, "\n", -1);
  n_saved = g_strv_length (saved);
  if (n_saved > 0 && saved[n_saved - 1][0] == '\0')
    n_saved--;
  if (n_saved != lines->len)
    {
      g_printerr ("%s holds %u searches, this run made %u: run with the same options\n",
                  path, n_saved, lines->len);
      return FALSE;
    }

  for (guint i = 0; i < lines->len; i++)
    {
      g_auto(GStrv) before = g_strsplit (saved[i], "\t", 3);
      g_auto(GStrv) after = g_strsplit (g_ptr_array_index (lines, i), "\t", 3);

      if (g_strv_length (before) != 3 || g_strv_length (after) != 3)
        {
          g_printerr ("%s is not a results file of this benchmark\n", path);
          return FALSE;
        }
      if (!g_str_equal (before[1], after[1]))
        n_ids++;
      else if (!g_str_equal (before[2], after[2]))
        n_shown++;
      if (!g_str_equal (before[0], after[0]))
        n_matches++;
    }

  g_print ("Results:       %u searches compared with %s: %u differ in the services or their "
           "order, %u more in what is shown of them, %u in the number of matches\n",
           lines->len, path, n_ids, n_shown, n_matches);
  return TRUE;
}

static gboolean
save_results (const char *path,
              GPtrArray  *lines)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (contents, "%s\n", (char *) g_ptr_array_index (lines, i));
  if (!g_file_set_contents (path, contents->str, contents->len, &error))
    {
      g_printerr ("Cannot save the results: %s\n", error->message);
      return FALSE;
    }

  g_print ("Results:       %u searches saved to %s\n", lines->len, path);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("HAVENCTL");
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDirectory) directory = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/London");
  g_autofree char *folder = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *existing = NULL;
  gboolean verbose = FALSE;
  gboolean csv = FALSE;
  g_autofree char *source = NULL;
  g_autofree char *db = NULL;
  int n_services = 100000;
  int n_queries = 1000;
  double import_seconds, import_cpu_seconds, open_seconds;
  long peak_kib;
  struct stat source_info, db_info;
  GArray *latencies[N_KINDS];
  GArray *cpu_times[N_KINDS];
  guint64 matches[N_KINDS] = { 0 };
  g_autofree char *save_path = NULL;
  g_autofree char *compare_path = NULL;
  g_autofree char *open_in_child_db = NULL;
  g_autofree char *open_floor_db = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  double open_ms, open_kib, floor_ms, floor_kib;
  gboolean searched;
  gint64 start;
  GOptionEntry entries[] = {
    { "services", 0, 0, G_OPTION_ARG_INT, &n_services, "Services to generate", "N" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Searches to time", "N" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Keep the files in this folder", "DIR" },
    { "verbose", 0, 0, G_OPTION_ARG_NONE, &verbose, "Print every query and its time", NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Import an HSDS CSV data package, not JSON", NULL },
    { "search-only", 0, 0, G_OPTION_ARG_FILENAME, &existing,
      "Only search this database, made by an earlier --keep run", "FILE" },
    { "save-results", 0, 0, G_OPTION_ARG_FILENAME, &save_path,
      "Save every search's results, in order, to this file", "FILE" },
    { "compare-results", 0, 0, G_OPTION_ARG_FILENAME, &compare_path,
      "Compare every search's results with those an earlier run saved", "FILE" },
    { "open-in-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &open_in_child_db,
      NULL, NULL },
    { "open-floor-in-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &open_floor_db,
      NULL, NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      n_services <= 0 || n_queries <= 0)
    {
      g_printerr ("Usage: %s HAVENCTL [--services N] [--queries N] [--keep DIR] [--csv] "
                  "[--save-results FILE] [--compare-results FILE]\n", argv[0]);
      return 2;
    }

  if (open_in_child_db != NULL || open_floor_db != NULL)
    return open_in_child (open_in_child_db != NULL ? open_in_child_db : open_floor_db,
                          open_floor_db != NULL);

  languages_init ();

  if (existing != NULL)
    {
      db = g_strdup (existing);
      goto search;
    }

  if (keep != NULL)
    {
      g_mkdir_with_parents (keep, 0755);
      folder = g_strdup (keep);
    }
  else
    {
      folder = g_dir_make_tmp ("haven-bench-directory-XXXXXX", &error);
      g_assert_no_error (error);
    }
  db = g_build_filename (folder, "directory.sqlite", NULL);

  start = now_ns ();
  if (csv)
    {
      source = g_build_filename (folder, "datapackage.json", NULL);
      generate_package (folder, n_services);
      g_print ("Generated %d services, %.1f MB of HSDS CSV, in %.2f s\n", n_services,
               folder_size (folder) / 1e6, (now_ns () - start) / 1e9);
    }
  else
    {
      source = g_build_filename (folder, "directory.json", NULL);
      generate (source, n_services);
      g_stat (source, &source_info);
      g_print ("Generated %d services, %.1f MB of HSDS JSON, in %.2f s\n", n_services,
               source_info.st_size / 1e6, (now_ns () - start) / 1e9);
    }

  if (!run_import (argv[1], source, db, &import_seconds, &import_cpu_seconds, &peak_kib))
    return 1;
  g_stat (db, &db_info);
  g_print ("Import:        %.2f s (target <= 5 s)\n", import_seconds);
  g_print ("Import CPU:    %.2f s, user and system\n", import_cpu_seconds);
  g_print ("Import RSS:    %.1f MB peak (target <= 150 MB)\n", peak_kib / 1024.0);
  g_print ("Database:      %.1f MB\n", db_info.st_size / 1e6);

search:
  if (!measure_open (argv[0], db, FALSE, 5, &open_ms, &open_kib) ||
      !measure_open (argv[0], db, TRUE, 5, &floor_ms, &floor_kib))
    return 1;
  g_print ("Open alone:    %.1f ms (target <= 50 ms), %.1f MB RssAnon (target <= 40 MB), in a "
           "new process, median of 5\n", open_ms, open_kib / 1024);
  g_print ("Open floor:    %.1f ms, %.1f MB RssAnon: SQLite opens the file and reads its "
           "version; open is %.1fx that in time, +%.1f MB\n", floor_ms, floor_kib / 1024,
           open_ms / MAX (floor_ms, 0.001), (open_kib - floor_kib) / 1024);

  start = now_ns ();
  directory = haven_directory_open (db, NULL, &error);
  if (directory == NULL)
    {
      g_printerr ("Cannot open the directory: %s\n", error->message);
      return 1;
    }
  haven_directory_set_time_zone (directory, zone);
  open_seconds = (now_ns () - start) / 1e9;
  g_print ("Open:          %.3f s (read once when the kiosk starts)\n", open_seconds);

  for (guint k = 0; k < N_KINDS; k++)
    {
      latencies[k] = g_array_new (FALSE, FALSE, sizeof (double));
      cpu_times[k] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  if (save_path != NULL || compare_path != NULL)
    lines = g_ptr_array_new_with_free_func (g_free);
  searched = run_searches (directory, rand, zone, n_queries, TYPING_WORD, verbose, latencies,
                           cpu_times, matches, lines) &&
             run_searches (directory, rand, zone, MAX (1, n_queries / 5), TYPING_FIRST_KEY,
                           verbose, latencies, cpu_times, matches, lines) &&
             run_searches (directory, rand, zone, MAX (1, n_queries / 5), TYPING_NOTHING,
                           verbose, latencies, cpu_times, matches, lines);

  if (searched)
    {
      g_print ("Search (target p99 <= 2 ms, first keystroke <= 4 ms), %d searches as the kiosk "
               "sends them:\n", n_queries);
      for (guint k = 0; k < N_KINDS; k++)
        {
          if (k == KIND_FIRST_KEYSTROKE)
            g_print ("Timed apart:\n");
          print_kind (latencies, cpu_times, matches, k);
        }
    }

  if (searched && save_path != NULL)
    searched = save_results (save_path, lines);
  if (searched && compare_path != NULL)
    searched = compare_results (compare_path, lines);

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_array_unref (latencies[k]);
      g_array_unref (cpu_times[k]);
    }
  languages_clear ();

  if (keep == NULL && existing == NULL)
    {
      if (csv)
        remove_package (folder);
      g_unlink (source);
      g_unlink (db);
      g_rmdir (folder);
    }

  return searched ? 0 : 1;
}
