/** @odoo-module **/
/**
 * Kazakh dates where the browser has no Kazakh calendar data.
 *
 * The web client formats month and week-day names, relative times ("5 минут бұрын") and full
 * dates through the browser's Intl API (luxon). Chrome and Chromium ship their Intl data without
 * Kazakh, so a Kazakh user read "M11", "Mon" and "-5 min". When, and only when, the browser's
 * Intl has no Kazakh, formatters asked for "kk" take their layout from Russian (the same order:
 * "30 қараша 2026 ж.", "дүйсенбі, 30 қараша") and their names from the tables below.
 */

const KK = {
    months: ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
        "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"],
    monthsShort: ["қаң.", "ақп.", "нау.", "сәу.", "мам.", "мау.", "шіл.", "там.", "қыр.", "қаз.", "қар.", "жел."],
    // by Date.getDay(): Sunday first
    weekdays: ["жексенбі", "дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі"],
    weekdaysShort: ["жс", "дс", "сс", "ср", "бс", "жм", "сб"],
    weekdaysNarrow: ["Ж", "Д", "С", "С", "Б", "Ж", "С"],
    // unit: [the word, its "from" form for the future: "5 минуттан кейін"]
    units: {
        second: ["секунд", "секундтан"], minute: ["минут", "минуттан"], hour: ["сағат", "сағаттан"],
        day: ["күн", "күннен"], week: ["апта", "аптадан"], month: ["ай", "айдан"],
        quarter: ["тоқсан", "тоқсаннан"], year: ["жыл", "жылдан"],
    },
};

const NativeDateTimeFormat = Intl.DateTimeFormat;
const NativeRelativeTimeFormat = Intl.RelativeTimeFormat;

function firstLocale(locales) {
    return Array.isArray(locales) ? locales[0] : locales;
}

function isKazakh(locales) {
    const locale = firstLocale(locales);
    return typeof locale === "string" && /^kk(\b|[-_])/i.test(locale);
}

function browserLacksKazakh() {
    try {
        const month = new NativeDateTimeFormat("kk", { month: "long" }).format(new Date(2020, 0, 15));
        return !/[а-яәғқңөұүһі]/i.test(month);
    } catch {
        return false;
    }
}

/** A DateTimeFormat for "kk": Russian layout, Kazakh names. */
class KazakhDateTimeFormat {
    constructor(locales, options = {}) {
        this.locale = firstLocale(locales);
        this.options = options;
        this.layout = new NativeDateTimeFormat("ru-RU", options);
        this.monthIndex = new Map();
        this.weekdayIndex = new Map();
        // Russian month and day names as this formatter writes them, back to their index
        for (let month = 0; month < 12; month++) {
            const part = this.layout.formatToParts(new Date(Date.UTC(2021, month, 15, 12)))
                .find((p) => p.type === "month");
            if (part) {
                this.monthIndex.set(part.value, month);
            }
        }
        for (let day = 0; day < 7; day++) {
            const date = new Date(Date.UTC(2021, 1, 7 + day, 12)); // 7 February 2021 is a Sunday
            const part = this.layout.formatToParts(date).find((p) => p.type === "weekday");
            if (part) {
                this.weekdayIndex.set(part.value, date.getUTCDay());
            }
        }
    }

    formatToParts(date) {
        const parts = this.layout.formatToParts(date === undefined ? new Date() : date);
        return parts.map((part) => {
            if (part.type === "month" && this.monthIndex.has(part.value)) {
                const names = this.options.month === "short" ? KK.monthsShort : KK.months;
                return { ...part, value: names[this.monthIndex.get(part.value)] };
            }
            if (part.type === "weekday" && this.weekdayIndex.has(part.value)) {
                const names = { short: KK.weekdaysShort, narrow: KK.weekdaysNarrow }[this.options.weekday] || KK.weekdays;
                return { ...part, value: names[this.weekdayIndex.get(part.value)] };
            }
            if (part.type === "literal") {
                return { ...part, value: part.value.replace(/\sг\./, " ж.") };
            }
            return part;
        });
    }

    format(date) {
        return this.formatToParts(date).map((part) => part.value).join("");
    }

    formatRange(start, end) {
        return `${this.format(start)} – ${this.format(end)}`;
    }

    resolvedOptions() {
        return { ...this.layout.resolvedOptions(), locale: this.locale };
    }
}

/** A RelativeTimeFormat for "kk": "5 минут бұрын", "2 күннен кейін", "кеше". */
class KazakhRelativeTimeFormat {
    constructor(locales, options = {}) {
        this.locale = firstLocale(locales);
        this.options = { style: "long", numeric: "always", ...options };
    }

    format(value, unit) {
        const singular = String(unit).replace(/s$/, "");
        const number = Number(value);
        if (this.options.numeric === "auto") {
            if (singular === "day" && Math.abs(number) <= 1) {
                return { "-1": "кеше", 0: "бүгін", 1: "ертең" }[number];
            }
            if (number === 0) {
                return "қазір";
            }
        }
        const [word, fromWord] = KK.units[singular] || [singular, singular];
        const count = Math.abs(number).toLocaleString("ru-RU");
        return number < 0 || Object.is(number, -0) ? `${count} ${word} бұрын` : `${count} ${fromWord} кейін`;
    }

    formatToParts(value, unit) {
        return [{ type: "literal", value: this.format(value, unit) }];
    }

    resolvedOptions() {
        return { locale: this.locale, style: this.options.style, numeric: this.options.numeric, numberingSystem: "latn" };
    }
}

if (browserLacksKazakh()) {
    const DateTimeFormat = function (locales, options) {
        return isKazakh(locales) ? new KazakhDateTimeFormat(locales, options) : new NativeDateTimeFormat(locales, options);
    };
    DateTimeFormat.prototype = NativeDateTimeFormat.prototype;
    DateTimeFormat.supportedLocalesOf = NativeDateTimeFormat.supportedLocalesOf.bind(NativeDateTimeFormat);
    Intl.DateTimeFormat = DateTimeFormat;
    if (NativeRelativeTimeFormat) {
        const RelativeTimeFormat = function (locales, options) {
            return isKazakh(locales)
                ? new KazakhRelativeTimeFormat(locales, options)
                : new NativeRelativeTimeFormat(locales, options);
        };
        RelativeTimeFormat.prototype = NativeRelativeTimeFormat.prototype;
        RelativeTimeFormat.supportedLocalesOf = NativeRelativeTimeFormat.supportedLocalesOf.bind(NativeRelativeTimeFormat);
        Intl.RelativeTimeFormat = RelativeTimeFormat;
    }
}
