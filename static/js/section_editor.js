// The rich editor for a section's text (django-prose-editor: ProseMirror/Tiptap). Without
// JavaScript the page keeps its textarea with the simple markup (docs/sections.md); with it,
// this module swaps that textarea for the editor and tells the server the text is HTML.
// Pasting from Word keeps paragraphs, headings, lists and tables: Word writes its lists as
// paragraphs with an "mso-list" style and a typed bullet, which become real lists here; the
// editor's schema and the server's sanitiser drop every style and class.
import {
  Blockquote, Bold, BulletList, Document, Editor, Extension, HardBreak, Heading, History, Italic,
  Link, ListItem, Menu, OrderedList, Paragraph, Plugin, Table, TableCell, TableHeader, TableRow,
  Text,
} from "django-prose-editor/editor"

const WORD_LIST = /mso-list|MsoListParagraph/i
const NUMBERED = /^\s*(\d+|[a-z]|[ivx]+)[.)]\s*$/i

function listMarker(paragraph) {
  // Word's bullet or number: a span styled "mso-list:Ignore", or the first characters.
  const ignored = [...paragraph.querySelectorAll("span")].find((span) =>
    /mso-list\s*:\s*ignore/i.test(span.getAttribute("style") || ""),
  )
  if (ignored) {
    const text = ignored.textContent
    ignored.remove()
    return text
  }
  const match = paragraph.textContent.match(/^\s*([·•o§\-–]|\d+[.)])\s+/)
  if (match) paragraph.innerHTML = paragraph.innerHTML.replace(match[1], "")
  return match ? match[1] : "·"
}

export function wordLists(html) {
  if (!WORD_LIST.test(html)) return html
  const doc = new DOMParser().parseFromString(html, "text/html")
  const isItem = (node) =>
    node && node.nodeType === 1 && node.tagName === "P" &&
    WORD_LIST.test((node.getAttribute("class") || "") + (node.getAttribute("style") || ""))
  for (const first of [...doc.body.querySelectorAll("p")]) {
    if (!first.isConnected || !isItem(first)) continue
    const items = []
    let node = first
    while (isItem(node)) {
      items.push(node)
      node = node.nextElementSibling
    }
    const marker = listMarker(items[0])
    const list = doc.createElement(NUMBERED.test(marker) ? "ol" : "ul")
    first.before(list)
    items.forEach((paragraph, index) => {
      if (index > 0) listMarker(paragraph)
      const item = doc.createElement("li")
      item.innerHTML = paragraph.innerHTML.replace(/^(\s|&nbsp;)+/, "")
      list.append(item)
      paragraph.remove()
    })
  }
  return doc.body.innerHTML
}

const WordPaste = Extension.create({
  name: "wordPaste",
  addProseMirrorPlugins() {
    return [new Plugin({ props: { transformPastedHTML: wordLists } })]
  },
})

function translate(root) {
  const say = window.gettext || ((text) => text)
  const elements = [root, ...root.querySelectorAll("[title], [aria-label]")]
  for (const element of elements) {
    for (const name of ["title", "aria-label"]) {
      const text = element.getAttribute && element.getAttribute(name)
      if (text && say(text) !== text) element.setAttribute(name, say(text))
    }
  }
  for (const option of root.querySelectorAll(".prose-menubar__option h3, .prose-menubar__option h4, .prose-menubar__option p")) {
    if (say(option.textContent) !== option.textContent) option.textContent = say(option.textContent)
  }
}

// The page's Content-Security-Policy allows no inline style without the request's nonce; the
// editor's own base styles go into a <style> that carries it (the import map's script has it).
const NONCE = document.querySelector("script[nonce]")?.nonce

function textareaEditor(textarea, extensions) {
  // As django-prose-editor's createTextareaEditor, with the nonce for the editor's styles.
  const element = document.createElement("div")
  element.className = "prose-editor"
  textarea.before(element)
  element.append(textarea)
  return new Editor({
    element,
    extensions,
    editable: !textarea.hasAttribute("disabled"),
    content: textarea.value,
    injectNonce: NONCE,
    onUpdate({ editor }) {
      const html = editor.getHTML()
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })
}

for (const wrapper of document.querySelectorAll("[data-rich-text]")) {
  const textarea = wrapper.querySelector("textarea")
  textareaEditor(textarea, [
    Document, Paragraph, Text, HardBreak, History, Menu, Bold, Italic,
    Heading.configure({ levels: [3, 4] }), BulletList, OrderedList, ListItem,
    Link.configure({ openOnClick: false }), Blockquote, Table, TableRow, TableHeader, TableCell,
    WordPaste,
  ])
  // The toolbar in Swedish (static/js/prose_sv.js holds the words); the editor draws parts of
  // it later, so what it adds is translated as it comes.
  translate(wrapper)
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) translate(node)
    }
  }).observe(wrapper, { childList: true, subtree: true })
  const markup = document.getElementById(wrapper.dataset.markup)
  if (markup) (markup.closest(".field-markup") || markup).hidden = true
  const format = document.getElementById(wrapper.dataset.format)
  if (format) format.value = "html"
  wrapper.hidden = false
}

// Leaving with text not yet saved asks first (the browser's own dialog). The prose editor writes
// its text into its textarea with an input event, so one listener on the form hears the markup
// textarea and the editor alike; sending the form is not leaving it.
const sectionForm = document.querySelector("[data-rich-text]")?.closest("form")
if (sectionForm) {
  const warn = (event) => {
    event.preventDefault()
    event.returnValue = ""
  }
  sectionForm.addEventListener("input", () => window.addEventListener("beforeunload", warn))
  sectionForm.addEventListener("submit", () => window.removeEventListener("beforeunload", warn))
}
