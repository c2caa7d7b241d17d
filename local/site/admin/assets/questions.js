// The event form's registration questions. The cards are read back before every redraw, so
// nothing typed is lost; labels in languages not shown go back as stored.
'use strict';

const Questions = (() => {
  const { el } = Plenary;
  const C = Console;
  const T = C.texts('admin.questions');
  const KINDS = ['text', 'paragraph', 'choice', 'choices', 'boolean'];
  const hasOptions = (kind) => kind === 'choice' || kind === 'choices';
  let list = [];
  let box;
  let form;

  const value = (name) => form.elements[name]?.value.trim() || '';
  const idField = (name, label, v, attrs) => C.field(name, label, 'input', { value: v || '', autocomplete: 'off', ...attrs });
  const select = (name, label, options, v, attrs) => C.field(name, label, 'select', { ...attrs, options, value: v });

  // English is required: it stands in for the other languages.
  const labels = (name, label, langs) => el('div', { class: 'grid-2' }, langs.map((l) => C.field(`${name}.${l}`,
    T('labelIn', { language: C.languageName(l) }), 'input', { lang: l, value: label?.[l] || '', 'aria-required': l === 'en' ? 'true' : null })));

  function readLabels(name, stored) {
    const out = { ...stored };
    for (const c of form.querySelectorAll(`input[name^="${name}."]`)) {
      const l = c.name.slice(name.length + 1);
      if (c.value.trim()) out[l] = c.value.trim(); else delete out[l];
    }
    return out;
  }

  function optionRows(q, i, n, langs) {
    const options = q.options || [];
    return el('fieldset', { class: 'options', 'data-field': `${n}.options` },
      el('legend', { text: T('options') }),
      options.map((o, j) => el('div', { class: 'option', 'data-field': `${n}.options.${j}` },
        idField(`${n}.options.${j}.id`, T('optionId', { n: j + 1 }), o.id),
        labels(`${n}.options.${j}.label`, o.label, langs),
        C.button(T('removeOption', { n: j + 1 }), () => change(() => list[i].options.splice(j, 1), `${n}.options.add`)))),
      C.button(T('addOption'), () => change(() => (list[i].options ||= []).push({ id: '', label: {} }), `${n}.options.${options.length}.id`),
        { id: C.fieldId(`${n}.options.add`) }));
  }

  /** "Only when": an earlier choice or yes/no question, and the answer that shows this one. */
  function condition(q, i, n) {
    const targets = list.slice(0, i).filter((p) => p.id && (p.kind === 'choice' || p.kind === 'boolean'));
    if (!targets.length && !q.shown_if) return null;
    const cond = q.shown_if || {};
    const target = targets.find((p) => p.id === cond.question);
    const answers = target?.kind === 'boolean' ? [['true', T('yes')], ['false', T('no')]]
      : (target?.options || []).map((o) => [o.id, o.label?.en || o.id]);
    return el('div', { class: 'grid-2' },
      select(`${n}.shown_if.question`, T('shownIf'), [['', T('always')], ...targets.map((p) => [p.id, p.id])],
        cond.question || '', { 'data-redraw': '' }),
      target ? select(`${n}.shown_if.equals`, T('equals'), answers, String(cond.equals)) : null);
  }

  function card(q, i, langs) {
    const n = `questions.${i}`;
    return el('fieldset', { class: 'question', 'data-field': n },
      el('legend', { text: T('number', { n: i + 1 }) }),
      el('div', { class: 'grid-2' },
        idField(`${n}.id`, T('id'), q.id, { 'aria-required': 'true', hint: T('idHint') }),
        select(`${n}.kind`, T('kind'), KINDS.map((k) => [k, T(`kinds.${k}`)]), q.kind, { 'data-redraw': '' })),
      C.checkbox(`${n}.required`, T('required'), Boolean(q.required)),
      labels(`${n}.label`, q.label, langs),
      hasOptions(q.kind) ? optionRows(q, i, n, langs) : null,
      q.kind === 'text' || q.kind === 'paragraph'
        ? C.field(`${n}.max_length`, T('maxLength'), 'input', { type: 'number', min: '1', inputmode: 'numeric', value: q.max_length ?? '', hint: T('maxLengthHint') })
        : null,
      condition(q, i, n),
      C.button(T('remove', { n: i + 1 }), () => change(() => list.splice(i, 1), 'questions.add')));
  }

  function read() {
    const out = [];
    box.querySelectorAll(':scope > fieldset.question').forEach((cardBox, i) => {
      const n = `questions.${i}`;
      const { options, max_length, shown_if, ...stored } = list[i] || {};
      const q = { ...stored, id: value(`${n}.id`), kind: value(`${n}.kind`), required: form.elements[`${n}.required`].checked,
        label: readLabels(`${n}.label`, stored.label) };
      if (hasOptions(q.kind)) {
        q.options = [...cardBox.querySelectorAll('.option')].map((_, j) => {
          const o = options?.[j];
          return { ...o, id: value(`${n}.options.${j}.id`), label: readLabels(`${n}.options.${j}.label`, o?.label) };
        });
      }
      const limit = value(`${n}.max_length`);
      if (limit) q.max_length = /^\d+$/.test(limit) ? Number(limit) : limit;
      const on = value(`${n}.shown_if.question`);
      const target = out.find((p) => p.id === on);
      if (target) {
        const equals = value(`${n}.shown_if.equals`);
        q.shown_if = { question: on, equals: target.kind === 'boolean' ? equals === 'true' : equals };
      }
      out.push(q);
    });
    list = out;
    return out;
  }

  function draw() {
    const langs = ['en', ...C.checked(form, 'languages').filter((l) => l !== 'en')];
    box.replaceChildren(...list.map((q, i) => card(q, i, langs)));
  }

  function change(mutate, focusName) {
    read();
    mutate();
    draw();
    form.dispatchEvent(new Event('input', { bubbles: true }));
    document.getElementById(C.fieldId(focusName))?.focus();
  }

  function section(e) {
    list = structuredClone(e.questions || []);
    box = el('div', { id: 'questions-list' });
    return el('fieldset', { class: 'group', id: 'questions', 'data-field': 'questions' },
      el('legend', { text: T('legend') }),
      el('p', { class: 'hint', text: T('hint') }),
      box,
      C.button(T('add'), () => change(() => list.push({ id: '', kind: 'choice', required: false, label: {}, options: [{ id: '', label: {} }] }),
        `questions.${list.length}.id`), { id: C.fieldId('questions.add') }));
  }

  function wire(f) {
    form = f;
    draw();
    f.addEventListener('change', (ev) => {
      if (ev.target.matches('[data-redraw], [name="languages"]')) change(() => {}, ev.target.name === 'languages' ? '' : ev.target.name);
    });
  }

  return { section, wire, read };
})();
