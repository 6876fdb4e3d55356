// つなぐハブ — 共通ヒアリングシート: recompute the derived figures while staff type.
// The same formulas as documents/hearing/calc.py, plan.py and money.py (a browser test feeds
// both the same households). The page works without this file: 「計算する」 asks the server.
"use strict";
(() => {
  const MONTHLY_MAX = 100000000;
  const TOTAL_MAX = 10000000000;
  const NONE = "—";
  const OTHER_INCOME = ["pension", "allowance", "remittance", "other"];
  const EXPENSES = ["rent", "food", "utilities", "communication", "insurance", "medical",
    "education", "transport", "other"];
  const ERAS = [["令和", 2019, 5, 1], ["平成", 1989, 1, 8], ["昭和", 1926, 12, 25]];

  // ------------------------------------------------------------------ money (money.py)
  function normalize(text) {
    let value = text.normalize("NFKC").replace(/[\s,、]/gu, "");
    if (value.startsWith("¥")) value = value.slice(1);
    if (value.startsWith("\\")) value = value.slice(1);
    if (value.endsWith("円")) value = value.slice(0, -1);
    return value;
  }

  // Return {value, error}: value is integer yen or null (blank); error names what is wrong.
  function parseYen(raw, maximum = MONTHLY_MAX) {
    if (raw === null || raw === undefined) return { value: null, error: null };
    const text = normalize(String(raw));
    if (!text) return { value: null, error: null };
    let number;
    let m;
    if (/^[-−▲△]/u.test(text)) return { value: null, error: "negative" };
    if (/^[0-9]{1,15}$/.test(text)) number = Number(text);
    else if ((m = /^([0-9]{1,6})万([0-9]{0,4})$/u.exec(text))) {
      number = Number(m[1]) * 10000 + Number(m[2] || "0");
    } else if (/^[0-9]+\.[0-9]+$/.test(text)) return { value: null, error: "decimal" };
    else if (/^[0-9]+$/.test(text)) return { value: null, error: "too_large" };
    else return { value: null, error: "not_a_number" };
    if (number > maximum) return { value: null, error: "too_large" };
    return { value: number, error: null };
  }

  // --------------------------------------------------------------------- formatting
  function yen(value) {
    if (value === null || value === undefined) return NONE;
    const sign = value < 0 ? "-" : "";
    return sign + String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "円";
  }

  function percent(ratio) {
    return ratio === null ? null : Math.floor(ratio * 100 + 0.5);
  }

  function ratioText(ratio) {
    return ratio === null ? NONE : percent(ratio) + "%";
  }

  function addMonths(month, count) {
    const [year, number] = month.split("-").map(Number);
    const index = year * 12 + number - 1 + count;
    return String(Math.floor(index / 12)).padStart(4, "0") + "-" +
      String((index % 12) + 1).padStart(2, "0");
  }

  function monthLabel(month) {
    if (!month) return "";
    const [year, number] = month.split("-").map(Number);
    for (const [name, y, m, d] of ERAS) {
      if (year > y || (year === y && (number > m || (number === m && 28 >= d)))) {
        const n = year - y + 1;
        return `${name}${n === 1 ? "元" : n}年${number}月`;
      }
    }
    return `${year}年${number}月`;
  }

  // ------------------------------------------------------------- the plan (plan.py)
  function split(amounts, affordable, unit) {
    const u = BigInt(unit);
    const budget = BigInt(Math.max(affordable, 0)) / u;
    const big = amounts.map(BigInt);
    const caps = big.map((a) => (a + u - 1n) / u);
    const sum = (list) => list.reduce((x, y) => x + y, 0n);
    if (sum(caps) <= budget) return caps.map((c) => Number(c * u));
    const total = sum(big);
    const shares = big.map((a, i) => (budget * a / total < caps[i] ? budget * a / total : caps[i]));
    const remainders = big.map((a) => (budget * a) % total);
    const order = big.map((_a, i) => i).sort((i, j) => {
      if (remainders[i] !== remainders[j]) return remainders[j] > remainders[i] ? 1 : -1;
      return i - j;
    });
    let left = budget - sum(shares);
    while (left > 0n) {
      const takers = order.filter((i) => shares[i] < caps[i]).slice(0, Number(left));
      for (const i of takers) shares[i] += 1n;
      left -= BigInt(takers.length);
    }
    return shares.map((s) => Number(s * u));
  }

  // ------------------------------------------------------------ figures (calc.py)
  function rows(values, prefix) {
    const found = new Map();
    for (const [name, value] of Object.entries(values)) {
      if (!name.startsWith(prefix)) continue;
      const [index, field] = name.slice(prefix.length).split(".");
      if (!/^[0-9]{1,3}$/.test(index) || field === undefined) continue;
      if (!found.has(index)) found.set(index, {});
      found.get(index)[field] = value;
    }
    return [...found.values()].filter((row) => Object.values(row).some((v) => String(v).trim()));
  }

  function knownSum(list) {
    const answered = list.filter((v) => v !== null);
    return answered.length ? answered.reduce((x, y) => x + y, 0) : null;
  }

  const ratio = (part, whole) => (part !== null && whole ? part / whole : null);
  const heavy = (part, whole, threshold) => {
    if (part === null || whole === null) return null;
    return whole ? part > threshold * whole : part > 0;
  };

  // values: the form's fields by name (first value); params: settings, claims and start month.
  function compute(values, params) {
    const money = (name, max = MONTHLY_MAX) => parseYen(values[name], max).value;
    const income = knownSum([money("household_budget.take_home"),
      ...OTHER_INCOME.map((k) => money(`household_budget.other_income.${k}`))]);
    const expenses = knownSum(EXPENSES.map((k) => money(`household_budget.expenses.${k}`)));
    const rent = money("household_budget.expenses.rent");
    const debts = rows(values, "private_debts.debts.");
    const repayment = debts.reduce((s, d) => s + (parseYen(d.monthly).value || 0), 0);
    const debtTotal = debts.reduce((s, d) => s + (parseYen(d.total, TOTAL_MAX).value || 0), 0);
    const members = rows(values, "household_budget.members.").length;
    const protectedAmount = params.protected_base + params.protected_per_member * members;
    const surplus = income !== null && expenses !== null ? income - expenses - repayment : null;
    const capacity = income !== null ? income - protectedAmount - repayment : null;
    let affordable = null;
    if (surplus !== null && capacity !== null) {
      const raw = Math.max(0, Math.min(surplus, capacity));
      affordable = raw - (raw % params.rounding_unit);
    }
    const annual = income !== null ? income * 12 : null;
    const has = debts.length > 0;
    const agreed = knownSum(params.claims.map((c) => money(`payment_plan.items.${c.row}.monthly`)));
    const owed = params.claims
      .map((c) => ({ id: c.id, amount: money(`arrears.claims.${c.row}.amount`, TOTAL_MAX) }))
      .filter((c) => c.amount);
    const monthly = split(owed.map((c) => c.amount), affordable || 0, params.rounding_unit);
    const items = owed.map((c, i) => {
      const pay = monthly[i];
      const months = pay ? Number((BigInt(c.amount) + BigInt(pay) - 1n) / BigInt(pay)) : null;
      return {
        claim_type_id: c.id,
        amount: c.amount,
        monthly: pay,
        months,
        until: months ? addMonths(params.start, months - 1) : null,
        is_long: Boolean(months && months > params.plan_long_months),
      };
    });
    return {
      monthly_income: income,
      monthly_expenses: expenses,
      rent,
      private_repayment: repayment,
      surplus,
      rent_ratio: ratio(rent, income),
      rent_heavy: heavy(rent, income, params.rent_heavy_ratio),
      private_debt_total: debtTotal,
      debt_service_ratio: has ? ratio(repayment, income) : null,
      debt_service_heavy: has ? heavy(repayment, income, params.debt_service_heavy_ratio) : null,
      debt_total_ratio: has ? ratio(debtTotal, annual) : null,
      debt_total_heavy: has ? heavy(debtTotal, annual, params.debt_total_heavy_ratio) : null,
      household_size: 1 + members,
      protected_amount: protectedAmount,
      capacity,
      affordable,
      arrears_total: owed.reduce((s, c) => s + c.amount, 0),
      agreed_monthly: agreed,
      agreed_over_affordable: agreed !== null && affordable !== null ? agreed > affordable : null,
      plan: { start: params.start, affordable, total_monthly: monthly.reduce((s, m) => s + m, 0),
        items },
      params,
    };
  }

  function formula(f) {
    if (f.affordable === null) {
      if (f.monthly_income === null) return ["収入が未記入のため、納付可能額は算出できません。"];
      return ["支出が未記入のため、納付可能額は算出できません。"];
    }
    const p = f.params;
    return [
      `① 月の余り = 月収入 ${yen(f.monthly_income)} − 月支出 ${yen(f.monthly_expenses)} − ` +
        `民間返済 ${yen(f.private_repayment)} = ${yen(f.surplus)}`,
      `② 保護する生活費 = ${yen(p.protected_base)} + ${yen(p.protected_per_member)} × ` +
        `世帯員${f.household_size - 1}人 = ${yen(f.protected_amount)}（国税徴収法第76条に倣う）`,
      `③ 保護後の余力 = 月収入 ${yen(f.monthly_income)} − 保護する生活費 ` +
        `${yen(f.protected_amount)} − 民間返済 ${yen(f.private_repayment)} = ${yen(f.capacity)}`,
      `納付可能額 = ①と③の小さい方（0円未満は0円）を${yen(p.rounding_unit)}未満切り捨て ` +
        `= ${yen(f.affordable)}`,
    ];
  }

  window.TsunaguHearing = { parseYen, compute, split, formula, monthLabel, yen };

  // --------------------------------------------------------------------------- page
  const panel = document.querySelector("[data-hearing-figures]");
  const form = document.querySelector("[data-hearing-form]");
  if (!panel || !form) return;
  const params = JSON.parse(panel.dataset.params);
  const names = new Map(params.claims.map((c) => [c.id, c.name]));

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function flag(text) {
    return el("span", text, "hs-flag");
  }

  function planRow(item) {
    const row = el("li");
    row.dataset.claim = item.claim_type_id;
    const claim = el("span", names.get(item.claim_type_id) || "", "hs-plan-claim");
    claim.append(el("small", `滞納 ${yen(item.amount)}`));
    const pay = el("span", "月 ", "hs-plan-pay");
    pay.append(el("strong", yen(item.monthly)));
    pay.append(item.months ? `・${item.months}か月（${monthLabel(item.until)}まで）`
      : "・完納の見込みなし");
    if (item.is_long) pay.append(" ", flag("長期"));
    const limit = params.limitations[String(item.claim_type_id)];
    const limitation = el("span", `時効の目安：${limit ? limit.text : "「計算する」で表示"}`,
      "hs-plan-limit");
    limitation.dataset.limitation = "";
    if (limit && limit.flag) limitation.append(" ", flag(limit.flag));
    row.append(claim, pay, limitation);
    return row;
  }

  function render(f) {
    const text = {
      monthly_income: yen(f.monthly_income),
      monthly_expenses: yen(f.monthly_expenses),
      private_repayment: yen(f.private_repayment),
      surplus: yen(f.surplus),
      rent_ratio: ratioText(f.rent_ratio),
      private_debt_total: yen(f.private_debt_total),
      debt_service_ratio: ratioText(f.debt_service_ratio),
      debt_total_ratio: ratioText(f.debt_total_ratio),
      protected_amount: yen(f.protected_amount),
      household_size: String(f.household_size),
      affordable: yen(f.affordable),
      agreed_monthly: yen(f.agreed_monthly),
    };
    for (const node of panel.querySelectorAll("[data-figure]")) {
      if (node.dataset.figure in text) node.textContent = text[node.dataset.figure];
    }
    panel.querySelector("[data-figure=surplus]").classList.toggle("hs-negative", f.surplus < 0);
    for (const node of panel.querySelectorAll("[data-flag]")) node.hidden = !f[node.dataset.flag];
    panel.querySelector("[data-formula]").replaceChildren(...formula(f).map((l) => el("li", l)));
    const body = panel.querySelector("[data-plan]");
    if (f.plan.items.length) body.replaceChildren(...f.plan.items.map(planRow));
    else body.replaceChildren(el("li", "滞納額を入力すると提案します。", "hs-plan-empty"));
    panel.querySelector("[data-live]").hidden = false;
  }

  function values() {
    const result = {};
    for (const [name, value] of new FormData(form)) {
      if (!(name in result) && typeof value === "string") result[name] = value;
    }
    return result;
  }

  form.addEventListener("input", () => render(compute(values(), params)));
  form.addEventListener("change", () => render(compute(values(), params)));
})();
