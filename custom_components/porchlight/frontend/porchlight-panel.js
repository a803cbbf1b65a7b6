/*! Porchlight consent panel and card. Built from frontend/ by scripts/frontend build; do not edit. Includes Lit (BSD-3-Clause, Copyright Google LLC). */
var e=globalThis,t=e.ShadowRoot&&(e.ShadyCSS===void 0||e.ShadyCSS.nativeShadow)&&`adoptedStyleSheets`in Document.prototype&&`replace`in CSSStyleSheet.prototype,n=Symbol(),r=/* @__PURE__ */ new WeakMap,i=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==n)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,n=this.t;if(t&&e===void 0){let t=n!==void 0&&n.length===1;t&&(e=r.get(n)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),t&&r.set(n,e))}return e}toString(){return this.cssText}},a=e=>new i(typeof e==`string`?e:e+``,void 0,n),o=(e,...t)=>new i(e.length===1?e[0]:t.reduce((t,n,r)=>t+(e=>{if(!0===e._$cssResult$)return e.cssText;if(typeof e==`number`)return e;throw Error(`Value passed to 'css' function must be a 'css' function result: `+e+`. Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.`)})(n)+e[r+1],e[0]),e,n),s=(n,r)=>{if(t)n.adoptedStyleSheets=r.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let t of r){let r=document.createElement(`style`),i=e.litNonce;i!==void 0&&r.setAttribute(`nonce`,i),r.textContent=t.cssText,n.appendChild(r)}},c=t?e=>e:e=>e instanceof CSSStyleSheet?(e=>{let t=``;for(let n of e.cssRules)t+=n.cssText;return a(t)})(e):e,{is:l,defineProperty:u,getOwnPropertyDescriptor:d,getOwnPropertyNames:f,getOwnPropertySymbols:p,getPrototypeOf:m}=Object,h=globalThis,ee=h.trustedTypes,te=ee?ee.emptyScript:``,ne=h.reactiveElementPolyfillSupport,g=(e,t)=>e,re={toAttribute(e,t){switch(t){case Boolean:e=e?te:null;break;case Object:case Array:e=e==null?e:JSON.stringify(e)}return e},fromAttribute(e,t){let n=e;switch(t){case Boolean:n=e!==null;break;case Number:n=e===null?null:Number(e);break;case Object:case Array:try{n=JSON.parse(e)}catch{n=null}}return n}},ie=(e,t)=>!l(e,t),ae={attribute:!0,type:String,converter:re,reflect:!1,useDefault:!1,hasChanged:ie};Symbol.metadata??=Symbol(`metadata`),h.litPropertyMetadata??=/* @__PURE__ */ new WeakMap;var _=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ae){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),r=this.getPropertyDescriptor(e,n,t);r!==void 0&&u(this.prototype,e,r)}}static getPropertyDescriptor(e,t,n){let{get:r,set:i}=d(this.prototype,e)??{get(){return this[t]},set(e){this[t]=e}};return{get:r,set(t){let a=r?.call(this);i?.call(this,t),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ae}static _$Ei(){if(this.hasOwnProperty(g(`elementProperties`)))return;let e=m(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(g(`finalized`)))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(g(`properties`))){let e=this.properties,t=[...f(e),...p(e)];for(let n of t)this.createProperty(n,e[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[e,n]of t)this.elementProperties.set(e,n)}this._$Eh=/* @__PURE__ */ new Map;for(let[e,t]of this.elementProperties){let n=this._$Eu(e,t);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let e of n)t.unshift(c(e))}else e!==void 0&&t.push(c(e));return t}static _$Eu(e,t){let n=t.attribute;return!1===n?void 0:typeof n==`string`?n:typeof e==`string`?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=/* @__PURE__ */ new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=/* @__PURE__ */ new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=/* @__PURE__ */ new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return s(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,n);if(r!==void 0&&!0===n.reflect){let i=(n.converter?.toAttribute===void 0?re:n.converter).toAttribute(t,n.type);this._$Em=e,i==null?this.removeAttribute(r):this.setAttribute(r,i),this._$Em=null}}_$AK(e,t){let n=this.constructor,r=n._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let e=n.getPropertyOptions(r),i=typeof e.converter==`function`?{fromAttribute:e.converter}:e.converter?.fromAttribute===void 0?re:e.converter;this._$Em=r;let a=i.fromAttribute(t,e.type);this[r]=a??this._$Ej?.get(r)??a,this._$Em=null}}requestUpdate(e,t,n,r=!1,i){if(e!==void 0){let a=this.constructor;if(!1===r&&(i=this[e]),n??=a.getPropertyOptions(e),!((n.hasChanged??ie)(i,t)||n.useDefault&&n.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,n))))return;this.C(e,t,n)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:r,wrapped:i},a){n&&!(this._$Ej??=/* @__PURE__ */ new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),!0!==i||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),!0===r&&this._$Em!==e&&(this._$Eq??=/* @__PURE__ */ new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[e,t]of this._$Ep)this[e]=t;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[t,n]of e){let{wrapped:e}=n,r=this[t];!0!==e||this._$AL.has(t)||r===void 0||this.C(t,void 0,n,r)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(t){throw e=!1,this._$EM(),t}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=/* @__PURE__ */ new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(e){}firstUpdated(e){}};_.elementStyles=[],_.shadowRootOptions={mode:`open`},_[g(`elementProperties`)]=/* @__PURE__ */ new Map,_[g(`finalized`)]=/* @__PURE__ */ new Map,ne?.({ReactiveElement:_}),(h.reactiveElementVersions??=[]).push(`2.1.2`);var oe=globalThis,se=e=>e,v=oe.trustedTypes,ce=v?v.createPolicy(`lit-html`,{createHTML:e=>e}):void 0,le=`$lit$`,y=`lit$${Math.random().toFixed(9).slice(2)}$`,ue=`?`+y,de=`<${ue}>`,b=document,x=()=>b.createComment(``),S=e=>e===null||typeof e!=`object`&&typeof e!=`function`,fe=Array.isArray,pe=e=>fe(e)||typeof e?.[Symbol.iterator]==`function`,me=`[ 	
\f\r]`,C=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,he=/-->/g,ge=/>/g,w=RegExp(`>|${me}(?:([^\\s"'>=/]+)(${me}*=${me}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,`g`),_e=/'/g,ve=/"/g,ye=/^(?:script|style|textarea|title)$/i,be=e=>(t,...n)=>({_$litType$:e,strings:t,values:n}),T=be(1),xe=be(2),E=Symbol.for(`lit-noChange`),D=Symbol.for(`lit-nothing`),Se=/* @__PURE__ */ new WeakMap,O=b.createTreeWalker(b,129);function Ce(e,t){if(!fe(e)||!e.hasOwnProperty(`raw`))throw Error(`invalid template strings array`);return ce===void 0?t:ce.createHTML(t)}var we=(e,t)=>{let n=e.length-1,r=[],i,a=t===2?`<svg>`:t===3?`<math>`:``,o=C;for(let t=0;t<n;t++){let n=e[t],s,c,l=-1,u=0;for(;u<n.length&&(o.lastIndex=u,c=o.exec(n),c!==null);)u=o.lastIndex,o===C?c[1]===`!--`?o=he:c[1]===void 0?c[2]===void 0?c[3]!==void 0&&(o=w):(ye.test(c[2])&&(i=RegExp(`</`+c[2],`g`)),o=w):o=ge:o===w?c[0]===`>`?(o=i??C,l=-1):c[1]===void 0?l=-2:(l=o.lastIndex-c[2].length,s=c[1],o=c[3]===void 0?w:c[3]===`"`?ve:_e):o===ve||o===_e?o=w:o===he||o===ge?o=C:(o=w,i=void 0);let d=o===w&&e[t+1].startsWith(`/>`)?` `:``;a+=o===C?n+de:l>=0?(r.push(s),n.slice(0,l)+le+n.slice(l)+y+d):n+y+(l===-2?t:d)}return[Ce(e,a+(e[n]||`<?>`)+(t===2?`</svg>`:t===3?`</math>`:``)),r]},Te=class e{constructor({strings:t,_$litType$:n},r){let i;this.parts=[];let a=0,o=0,s=t.length-1,c=this.parts,[l,u]=we(t,n);if(this.el=e.createElement(l,r),O.currentNode=this.el.content,n===2||n===3){let e=this.el.content.firstChild;e.replaceWith(...e.childNodes)}for(;(i=O.nextNode())!==null&&c.length<s;){if(i.nodeType===1){if(i.hasAttributes())for(let e of i.getAttributeNames())if(e.endsWith(le)){let t=u[o++],n=i.getAttribute(e).split(y),r=/([.?@])?(.*)/.exec(t);c.push({type:1,index:a,name:r[2],strings:n,ctor:r[1]===`.`?De:r[1]===`?`?Oe:r[1]===`@`?ke:j}),i.removeAttribute(e)}else e.startsWith(y)&&(c.push({type:6,index:a}),i.removeAttribute(e));if(ye.test(i.tagName)){let e=i.textContent.split(y),t=e.length-1;if(t>0){i.textContent=v?v.emptyScript:``;for(let n=0;n<t;n++)i.append(e[n],x()),O.nextNode(),c.push({type:2,index:++a});i.append(e[t],x())}}}else if(i.nodeType===8){if(i.data===ue)c.push({type:2,index:a});else{let e=-1;for(;(e=i.data.indexOf(y,e+1))!==-1;)c.push({type:7,index:a}),e+=y.length-1}}a++}}static createElement(e,t){let n=b.createElement(`template`);return n.innerHTML=e,n}};function k(e,t,n=e,r){if(t===E)return t;let i=r===void 0?n._$Cl:n._$Co?.[r],a=S(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(e),i._$AT(e,n,r)),r===void 0?n._$Cl=i:(n._$Co??=[])[r]=i),i!==void 0&&(t=k(e,i._$AS(e,t.values),i,r)),t}var Ee=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,r=(e?.creationScope??b).importNode(t,!0);O.currentNode=r;let i=O.nextNode(),a=0,o=0,s=n[0];for(;s!==void 0;){if(a===s.index){let t;s.type===2?t=new A(i,i.nextSibling,this,e):s.type===1?t=new s.ctor(i,s.name,s.strings,this,e):s.type===6&&(t=new Ae(i,this,e)),this._$AV.push(t),s=n[++o]}a!==s?.index&&(i=O.nextNode(),a++)}return O.currentNode=b,r}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings===void 0?n._$AI(e[t]):(n._$AI(e,n,t),t+=n.strings.length-2)),t++}},A=class e{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,r){this.type=2,this._$AH=D,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=k(this,e,t),S(e)?e===D||e==null||e===``?(this._$AH!==D&&this._$AR(),this._$AH=D):e!==this._$AH&&e!==E&&this._(e):e._$litType$===void 0?e.nodeType===void 0?pe(e)?this.k(e):this._(e):this.T(e):this.$(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==D&&S(this._$AH)?this._$AA.nextSibling.data=e:this.T(b.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,r=typeof n==`number`?this._$AC(e):(n.el===void 0&&(n.el=Te.createElement(Ce(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===r)this._$AH.p(t);else{let e=new Ee(r,this),n=e.u(this.options);e.p(t),this.T(n),this._$AH=e}}_$AC(e){let t=Se.get(e.strings);return t===void 0&&Se.set(e.strings,t=new Te(e)),t}k(t){fe(this._$AH)||(this._$AH=[],this._$AR());let n=this._$AH,r,i=0;for(let a of t)i===n.length?n.push(r=new e(this.O(x()),this.O(x()),this,this.options)):r=n[i],r._$AI(a),i++;i<n.length&&(this._$AR(r&&r._$AB.nextSibling,i),n.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let t=se(e).nextSibling;se(e).remove(),e=t}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},j=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,r,i){this.type=1,this._$AH=D,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=i,n.length>2||n[0]!==``||n[1]!==``?(this._$AH=Array(n.length-1).fill(/* @__PURE__ */ new String),this.strings=n):this._$AH=D}_$AI(e,t=this,n,r){let i=this.strings,a=!1;if(i===void 0)e=k(this,e,t,0),a=!S(e)||e!==this._$AH&&e!==E,a&&(this._$AH=e);else{let r=e,o,s;for(e=i[0],o=0;o<i.length-1;o++)s=k(this,r[n+o],t,o),s===E&&(s=this._$AH[o]),a||=!S(s)||s!==this._$AH[o],s===D?e=D:e!==D&&(e+=(s??``)+i[o+1]),this._$AH[o]=s}a&&!r&&this.j(e)}j(e){e===D?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??``)}},De=class extends j{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===D?void 0:e}},Oe=class extends j{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==D)}},ke=class extends j{constructor(e,t,n,r,i){super(e,t,n,r,i),this.type=5}_$AI(e,t=this){if((e=k(this,e,t,0)??D)===E)return;let n=this._$AH,r=e===D&&n!==D||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,i=e!==D&&(n===D||r);r&&this.element.removeEventListener(this.name,this,n),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH==`function`?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},Ae=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){k(this,e)}},je={M:le,P:y,A:ue,C:1,L:we,R:Ee,D:pe,V:k,I:A,H:j,N:Oe,U:ke,B:De,F:Ae},Me=oe.litHtmlPolyfillSupport;Me?.(Te,A),(oe.litHtmlVersions??=[]).push(`3.3.3`);var Ne=(e,t,n)=>{let r=n?.renderBefore??t,i=r._$litPart$;if(i===void 0){let e=n?.renderBefore??null;r._$litPart$=i=new A(t.insertBefore(x(),e),e,void 0,n??{})}return i._$AI(e),i},Pe=globalThis,M=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ne(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};M._$litElement$=!0,M.finalized=!0,Pe.litElementHydrateSupport?.({LitElement:M});var Fe=Pe.litElementPolyfillSupport;Fe?.({LitElement:M}),(Pe.litElementVersions??=[]).push(`4.2.2`);var Ie={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},Le=e=>(...t)=>({_$litDirective$:e,values:t}),Re=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,n){this._$Ct=e,this._$AM=t,this._$Ci=n}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}},{I:ze}=je,Be=e=>e,Ve=()=>document.createComment(``),N=(e,t,n)=>{let r=e._$AA.parentNode,i=t===void 0?e._$AB:t._$AA;if(n===void 0)n=new ze(r.insertBefore(Ve(),i),r.insertBefore(Ve(),i),e,e.options);else{let t=n._$AB.nextSibling,a=n._$AM,o=a!==e;if(o){let t;n._$AQ?.(e),n._$AM=e,n._$AP!==void 0&&(t=e._$AU)!==a._$AU&&n._$AP(t)}if(t!==i||o){let e=n._$AA;for(;e!==t;){let t=Be(e).nextSibling;Be(r).insertBefore(e,i),e=t}}}return n},P=(e,t,n=e)=>(e._$AI(t,n),e),He={},Ue=(e,t=He)=>e._$AH=t,We=e=>e._$AH,Ge=e=>{e._$AR(),e._$AA.remove()},Ke=(e,t,n)=>{let r=/* @__PURE__ */ new Map;for(let i=t;i<=n;i++)r.set(e[i],i);return r},F=Le(class extends Re{constructor(e){if(super(e),e.type!==Ie.CHILD)throw Error(`repeat() can only be used in text expressions`)}dt(e,t,n){let r;n===void 0?n=t:t!==void 0&&(r=t);let i=[],a=[],o=0;for(let t of e)i[o]=r?r(t,o):o,a[o]=n(t,o),o++;return{values:a,keys:i}}render(e,t,n){return this.dt(e,t,n).values}update(e,[t,n,r]){let i=We(e),{values:a,keys:o}=this.dt(t,n,r);if(!Array.isArray(i))return this.ut=o,a;let s=this.ut??=[],c=[],l,u,d=0,f=i.length-1,p=0,m=a.length-1;for(;d<=f&&p<=m;)if(i[d]===null)d++;else if(i[f]===null)f--;else if(s[d]===o[p])c[p]=P(i[d],a[p]),d++,p++;else if(s[f]===o[m])c[m]=P(i[f],a[m]),f--,m--;else if(s[d]===o[m])c[m]=P(i[d],a[m]),N(e,c[m+1],i[d]),d++,m--;else if(s[f]===o[p])c[p]=P(i[f],a[p]),N(e,i[d],i[f]),f--,p++;else if(l===void 0&&(l=Ke(o,p,m),u=Ke(s,d,f)),l.has(s[d])){if(l.has(s[f])){let t=u.get(o[p]),n=t===void 0?null:i[t];if(n===null){let t=N(e,i[d]);P(t,a[p]),c[p]=t}else c[p]=P(n,a[p]),N(e,i[d],n),i[t]=null;p++}else Ge(i[f]),f--}else Ge(i[d]),d++;for(;p<=m;){let t=N(e,c[m+1]);P(t,a[p]),c[p++]=t}for(;d<=f;){let e=i[d++];e!==null&&Ge(e)}return this.ut=o,Ue(e,c),E}});function I(e){let t=e.replace(/[_-]+/g,` `).trim();return t?t.charAt(0).toUpperCase()+t.slice(1):e}function qe(e){return e===`pending`?`pending`:e===`shared`?`good`:e===`out_of_policy`?`bad`:``}function Je(e){return e.status===`pending`&&!e.decision&&!e.queued}var L={title:`Porchlight`,openSidebar:`Open the sidebar`,loading:`Loading…`,retry:`Try again`,dismiss:`Dismiss`,home:`Home`,noEntries:`No Porchlight home is set up. Add the Porchlight integration under Settings → Devices & services.`,tabs:{requests:`Requests`,shares:`Shares`,ledger:`Ledger`},tabsLabel:`Porchlight views`,liveOff:e=>`Live updates are off, so this page may be out of date: ${e}`,pendingHeading:`Waiting for your decision`,earlierHeading:`Earlier requests`,noPending:`No request is waiting for your decision.`,noRequests:`No video requests yet. When an agency asks for footage near your home, it appears here.`,caseNumber:`Case`,incident:`Incident`,window:`Window`,distance:`Distance`,distanceFromHome:e=>`${e} from your home`,expiry:`Expiry`,contact:`Contact`,clipsHeading:e=>e===1?`1 matching clip`:`${e} matching clips`,sharedClipsHeading:e=>`Shared clips (${e})`,noClips:`No clip recorded at home matches this window.`,selectAll:`Select all`,selectNone:`Select none`,selectedCount:(e,t)=>`${e} of ${t} selected`,keepFor:`Keep for (days)`,keepForHint:e=>`1 to ${e}`,retentionInvalid:e=>e===1?`Enter 1: the hub keeps shares for 1 day at most.`:`Enter a whole number of days from 1 to ${e}.`,shareSelected:`Share selected`,sharing:`Sharing…`,shareAll:`Share all`,decline:`Decline`,declining:`Declining…`,queued:`Queued — will be sent when the hub is reachable`,yourDecision:{share:`You chose to share`,decline:`You chose to decline`},outcome:`Outcome`,policyViolation:`Broke the rule`,status:{pending:`Waiting for your decision`,shared:`Shared`,declined:`Declined`,withdrawn:`Withdrawn by the agency`,expired:`Expired without a decision`,closed:`Closed`,out_of_policy:`Refused: outside the sharing rules`},agencyKinds:{police:`Police`,fire:`Fire service`,ems:`Emergency medical service`,municipal:`Municipal`},clipKinds:{video:`Video`,snapshot:`Snapshot`},clipLabel:(e,t)=>`${e}, ${t}`,mapLabel:(e,t)=>`Requested area: a circle of ${e} radius. ${t}`,homeInside:e=>`Your home is inside it, ${e} from its centre.`,homeOutside:e=>`Your home is outside it, ${e} from its centre.`,homeUnknown:`Your home's position is not known.`,mapHome:`Home`,mapHomeFar:e=>`Home, ${e}`,expiresIn:e=>`Expires ${e}`,expired:e=>`Expired ${e}`,deleted:e=>`Deleted ${e}`,decidedRel:e=>`Updated ${e}`,duration:{day:`d`,hour:`h`,minute:`min`,second:`s`},noShares:`Nothing shared yet. Shares you make appear here, with every agency access.`,activeHeading:`Active shares`,pastHeading:`Ended shares`,shareStatus:{active:`Active`,deleted:`Deleted by the hub`,revoked:`Revoked`,queued:`Queued`},keptFor:e=>e===1?`Kept for 1 day`:`Kept for ${e} days`,sharedClips:`Shared clips`,notUploaded:`not uploaded yet`,accesses:`Agency accesses`,noAccesses:`No agency has opened these clips yet.`,accessLine:(e,t,n)=>`${e} — ${t} opened ${n}`,revoke:`Revoke`,revoking:`Revoking…`,revokeConfirm:`Revoke this share? The agency loses access to these clips.`,revokeYes:`Yes, revoke`,revokeNo:`Cancel`,ledgerVerified:e=>`The ledger's hash chain verifies: ${e} ${e===1?`entry`:`entries`}, none altered or missing.`,ledgerBroken:e=>`The ledger's hash chain does NOT verify: ${e}`,ledgerBrokenUnknown:`The ledger's hash chain does NOT verify.`,exportLedger:`Export`,exporting:`Exporting…`,exportHint:`Downloads the whole ledger as a JSON file.`,loadOlder:`Load older`,loadingOlder:`Loading older…`,noLedger:`The ledger is empty.`,rawData:`Raw data`,ledgerSeq:e=>`#${e}`,ledgerKinds:{},summaryClips:e=>e===1?`1 clip`:`${e} clips`,summaryDays:e=>e===1?`1 day`:`${e} days`,summaryCase:e=>`case ${e}`,errorConnectionLost:`The connection to Home Assistant was lost. Try again when it is back.`,errorUnknown:`Something went wrong.`,errorWithCode:e=>`Something went wrong (${e}).`,loadFailed:e=>`Could not load ${e}.`,cardTitle:`Video requests`,cardNoPending:`No video request is waiting.`,cardClipCount:e=>e===1?`1 clip`:`${e} clips`,chooseClips:`Choose clips`,badConfig:`Porchlight requests card: the configuration must be an object.`,badConfigType:"Porchlight requests card: `type` must be custom:porchlight-requests-card.",badConfigField:e=>`Porchlight requests card: \`${e}\` must be text.`,badConfigUnknown:e=>`Porchlight requests card: unknown option \`${e}\`.`,cardName:`Porchlight requests`,cardDescription:`Video requests waiting for your decision, with Share all and Decline.`,editorTitle:`Title (optional)`,editorEntry:`Config entry id (optional, only with several homes)`};function Ye(e){let t=L.ledgerKinds[e];if(t)return t;let n=e.replace(/[_.-]+/g,` `).trim();return n?n.charAt(0).toUpperCase()+n.slice(1):e}function Xe(e){return L.agencyKinds[e]??(e?e.charAt(0).toUpperCase()+e.slice(1):``)}function R(e,t){return T`<div class="alert" role="alert">
    <span>${e}</span>
    <button class="icon-btn" aria-label=${L.dismiss} title=${L.dismiss} @click=${t}>
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M19,6.41L17.59,5L12,10.59L6.41,5L5,6.41L10.59,12L5,17.59L6.41,19L12,13.41L17.59,19L19,17.59L13.41,12L19,6.41Z"
        ></path>
      </svg>
    </button>
  </div>`}function z(e,t,n){return e?T`<span class="spinner" aria-hidden="true"></span><span>${n}</span>`:T`${t}`}function B(e,t,n){return e.error?T`<div class="alert load-error" role="alert">
      <span>${L.loadFailed(t.toLowerCase())} ${e.error}</span>
      ${n?T`<button class="btn" ?disabled=${e.loading} @click=${n}>${L.retry}</button>`:D}
    </div>`:T`<p class="loading secondary" role="status">${L.loading}</p>`}var Ze=1e3;function V(e,t){return t===void 0?e:{...e,config_entry_id:t}}var Qe=class{constructor(e){this.connection=e}entries(){return this.connection.sendMessagePromise({type:`porchlight/entries`})}requests(e){return this.connection.sendMessagePromise(V({type:`porchlight/requests`},e))}shares(e){return this.connection.sendMessagePromise(V({type:`porchlight/shares`},e))}ledger(e,t={}){let n={type:`porchlight/ledger`};return t.limit!==void 0&&(n.limit=t.limit),t.before_seq!==void 0&&(n.before_seq=t.before_seq),this.connection.sendMessagePromise(V(n,e))}subscribe(e,t){return this.connection.subscribeMessage(t,V({type:`porchlight/subscribe`},e),{resubscribe:!0})}async callService(e,t,n){return(await this.connection.sendMessagePromise({type:`call_service`,domain:`porchlight`,service:e,service_data:V(t,n),return_response:!0}))?.response}},$e=/* @__PURE__ */ new Set([1,3]);function et(e){return typeof e==`object`&&!!e}function H(e){return typeof e==`string`?e.trim()||L.errorUnknown:et(e)?et(e.error)&&!(`message`in e&&typeof e.message==`string`)?H(e.error):typeof e.code==`number`&&$e.has(e.code)?L.errorConnectionLost:typeof e.message==`string`&&e.message.trim()?e.message.trim():typeof e.code==`string`&&e.code?L.errorWithCode(e.code):L.errorUnknown:L.errorUnknown}function tt(e,t){if(e===t)return!0;if(typeof e!=`object`||typeof t!=`object`||e===null||t===null)return!1;if(Array.isArray(e))return!Array.isArray(t)||e.length!==t.length?!1:e.every((e,n)=>tt(e,t[n]));if(Array.isArray(t))return!1;let n=Object.keys(e),r=Object.keys(t);if(n.length!==r.length)return!1;let i=t,a=e;return n.every(e=>Object.prototype.hasOwnProperty.call(i,e)&&tt(a[e],i[e]))}function nt(e,t,n){if(!e?.length)return t;let r=new Map(e.map(e=>[n(e),e])),i=e.length===t.length,a=t.map((t,a)=>{let o=r.get(n(t));return o!==void 0&&tt(o,t)?(e[a]!==o&&(i=!1),o):(i=!1,t)});return i?e:a}var rt={share_clips:[`requests`,`shares`],share_all:[`requests`,`shares`],decline:[`requests`],revoke_share:[`shares`],export_ledger:[]},it=class{constructor(e,t){this.host=e,this.requests={loading:!1},this.shares={loading:!1},this.ledger={loading:!1,olderLoading:!1,hasOlder:!0},this.attached=!1,this.session=0,this.generation={requests:0,shares:0,ledger:0},this.onReconnect=()=>{for(let e of this.collections)this.refresh(e)},this.collections=new Set(t.collections),this.fixedEntry=t.entryId,this.entryId=t.entryId,e.addController(this)}setConnection(e){e!==this.api?.connection&&(this.stop(),this.api=e?new Qe(e):void 0,this.entries=void 0,this.start())}get ready(){return this.api!==void 0}hostConnected(){this.attached=!0,this.start()}hostDisconnected(){this.attached=!1,this.stop()}selectEntry(e){e!==this.entryId&&(this.stop(),this.entryId=e,this.reset(),this.start())}setFixedEntry(e){e!==this.fixedEntry&&(this.stop(),this.fixedEntry=e,this.entryId=e,this.entries=void 0,this.reset(),this.start())}reset(){this.requests={loading:!1},this.shares={loading:!1},this.ledger={loading:!1,olderLoading:!1,hasOlder:!0}}start(){if(!this.attached||!this.api)return;let e=++this.session;this.api.connection.addEventListener?.(`ready`,this.onReconnect),this.begin(e)}stop(){this.session+=1,this.api?.connection.removeEventListener?.(`ready`,this.onReconnect);let e=this.unsubscribe;this.unsubscribe=void 0,e&&e.then(e=>e?.()).catch(()=>void 0)}async begin(e){let t=this.api;if(t){if(this.fixedEntry===void 0&&this.entries===void 0){try{let n=await t.entries();if(e!==this.session)return;this.entries=n.entries,this.entriesError=void 0,this.entries.some(e=>e.config_entry_id===this.entryId)||(this.entryId=this.entries[0]?.config_entry_id)}catch(t){if(e!==this.session)return;this.entriesError=H(t),this.entries=[]}if(this.host.requestUpdate(),this.entries.length===0&&this.entriesError===void 0)return}this.unsubscribe=t.subscribe(this.entryId,t=>{e===this.session&&t&&this.collections.has(t.kind)&&this.refresh(t.kind)}).then(t=>(e===this.session&&this.liveError!==void 0&&(this.liveError=void 0,this.host.requestUpdate()),t),t=>{e===this.session&&(this.liveError=H(t),this.host.requestUpdate())}),await Promise.all([...this.collections].map(e=>this.refresh(e)))}}async refresh(e){let t=this.api;if(!t||!this.collections.has(e))return;let n=this.session,r=++this.generation[e],i=()=>n===this.session&&r===this.generation[e];this.patch(e,{loading:!0});try{if(e===`requests`){let e=await t.requests(this.entryId);if(!i())return;let n=this.requests.data?.requests;this.requests={loading:!1,data:{...e,requests:nt(n,e.requests??[],e=>e.id)}}}else if(e===`shares`){let e=await t.shares(this.entryId);if(!i())return;let n=this.shares.data?.shares;this.shares={loading:!1,data:{...e,shares:nt(n,e.shares??[],e=>e.share_id)}}}else{let e=this.ledger.data?.entries.length??0,n=Math.min(Ze,Math.max(200,e)),r=await t.ledger(this.entryId,{limit:n});if(!i())return;let a=nt(this.ledger.data?.entries,r.entries??[],e=>String(e.seq));this.ledger={loading:!1,olderLoading:!1,data:{...r,entries:a},hasOlder:a.length<r.count&&a.length>=n}}}catch(t){if(!i())return;this.patch(e,{loading:!1,error:H(t)});return}this.host.requestUpdate()}patch(e,t){e===`requests`?this.requests={...this.requests,...t}:e===`shares`?this.shares={...this.shares,...t}:this.ledger={...this.ledger,...t},this.host.requestUpdate()}async loadOlder(){let e=this.api,t=this.ledger.data,n=t?.entries[t.entries.length-1];if(!e||!t||!n||this.ledger.olderLoading)return;let r=this.session,i=this.generation.ledger;this.ledger={...this.ledger,olderLoading:!0,olderError:void 0},this.host.requestUpdate();try{let a=await e.ledger(this.entryId,{limit:200,before_seq:n.seq});if(r!==this.session||i!==this.generation.ledger)return;let o=new Set(t.entries.map(e=>e.seq)),s=(a.entries??[]).filter(e=>!o.has(e.seq)),c=[...t.entries,...s];this.ledger={loading:!1,olderLoading:!1,data:{...t,verified:a.verified,problem:a.problem,count:a.count,entries:c},hasOlder:s.length>0&&c.length<a.count}}catch(e){if(r!==this.session)return;this.ledger={...this.ledger,olderLoading:!1,olderError:H(e)}}this.host.requestUpdate()}get actionEntryId(){return this.entryId??this.requests.data?.config_entry_id??this.shares.data?.config_entry_id}async callService(e,t){let n=this.api;if(!n)throw Error(`Not connected to Home Assistant.`);let r=await n.callService(e,t,this.actionEntryId);for(let t of rt[e])this.refresh(t);return r}};function U(e,t){customElements.get(e)||customElements.define(e,t)}function at(e){let t=window.customCards??=[];t.some(t=>t.type===e.type)||t.push(e)}function ot(e,t,n){e.dispatchEvent(new CustomEvent(t,{bubbles:!0,composed:!0,detail:n}))}function st(e,t){if(Object.prototype.hasOwnProperty.call(e,t)){let n=e,r=n[t];delete n[t],n[t]=r}}var W=6e4,G=60*W,K=24*G;function ct(e){let t=e?.locale?.language||e?.language||`en`,n=e?.locale?.time_zone===`server`&&e?.config?.time_zone?e.config.time_zone:void 0,r=e?.locale?.time_format,i=r===`am_pm`||r!==`24`&&void 0;return{locale:ut(t),timeZone:n,hour12:i}}function lt(e,t){return e.locale===t.locale&&e.timeZone===t.timeZone&&e.hour12===t.hour12}function ut(e){try{return Intl.DateTimeFormat.supportedLocalesOf([e]).length?e:`en`}catch{return`en`}}var dt=/* @__PURE__ */ new Map;function q(e,t,n){let r=`${e.locale}|${e.timeZone??``}|${String(e.hour12)}|${t}`,i=dt.get(r);if(!i){let t=e.hour12===void 0||!(`timeStyle`in n)?{}:{hour12:e.hour12};i=new Intl.DateTimeFormat(e.locale,{...n,...t,timeZone:e.timeZone}),dt.set(r,i)}return i}function J(e){let t=new Date(e);return Number.isNaN(t.getTime())?null:t}function Y(e,t){let n=J(e);return n?q(t,`dt`,{dateStyle:`medium`,timeStyle:`short`}).format(n):e}function ft(e,t){let n=J(e);return n?q(t,`t`,{timeStyle:`medium`}).format(n):e}function pt(e,t){let n=J(e);return n?q(t,`dtm`,{dateStyle:`medium`,timeStyle:`medium`}).format(n):e}function mt(e,t,n){let r=J(e),i=J(t);return r?i&&ht(r,n)===ht(i,n)?ft(e,n):pt(e,n):e}function ht(e,t){return q(t,`day`,{year:`numeric`,month:`2-digit`,day:`2-digit`}).format(e)}function gt(e){let t=L.duration,n=Math.max(0,Math.round(Math.abs(e)/1e3)*1e3);if(n<W)return`${Math.round(n/1e3)} ${t.second}`;let r=Math.floor(n/K),i=Math.floor(n%K/G),a=Math.floor(n%G/W),o=[];return r&&o.push(`${r} ${t.day}`),i&&o.push(`${i} ${t.hour}`),a&&!r&&o.push(`${a} ${t.minute}`),o.slice(0,2).join(` `)}function _t(e,t,n){let r=J(e),i=J(t);if(!r||!i)return`${e} – ${t}`;let a=q(n,`dt`,{dateStyle:`medium`,timeStyle:`short`});return`${i>=r?a.formatRange(r,i):`${a.format(r)} – ${a.format(i)}`} (${gt(i.getTime()-r.getTime())})`}var vt=/* @__PURE__ */ new Map;function yt(e,t){let n=`${e}|${t}`,r=vt.get(n);return r||(r=new Intl.NumberFormat(e,{maximumFractionDigits:t}),vt.set(n,r)),r}function X(e,t){if(!Number.isFinite(e))return`—`;let n=Math.max(0,e);if(n<1e3)return`${yt(t,0).format(Math.round(n))} m`;let r=n/1e3;return`${yt(t,+(r<10)).format(r)} km`}function bt(e,t){if(!Number.isFinite(e)||e<0)return`—`;let n=[`B`,`kB`,`MB`,`GB`,`TB`],r=e,i=0;for(;r>=1e3&&i<n.length-1;)r/=1e3,i+=1;return`${yt(t,i===0||r>=10?0:1).format(r)} ${n[i]}`}var xt=/* @__PURE__ */ new Map;function St(e,t,n){let r=J(e);if(!r)return e;let i=xt.get(n);i||(i=new Intl.RelativeTimeFormat(n,{numeric:`auto`}),xt.set(n,i));let a=r.getTime()-t,o=Math.abs(a);return o<W?i.format(Math.round(a/1e3),`second`):o<G?i.format(Math.round(a/W),`minute`):o<K?i.format(Math.round(a/G),`hour`):i.format(Math.round(a/K),`day`)}function Ct(e,t,n){let r=J(e);if(!r)return e;let i=St(e,t,n);return r.getTime()>t?L.expiresIn(i):L.expired(i)}function wt(e,t){let n=new Intl.DateTimeFormat(`en-CA`,{timeZone:t.timeZone,year:`numeric`,month:`2-digit`,day:`2-digit`}).formatToParts(e),r=e=>n.find(t=>t.type===e)?.value??``;return`${r(`year`)}-${r(`month`)}-${r(`day`)}`}function Tt(e,t){let n=Math.max(1,Math.floor(t));return Math.min(n,Math.max(1,Number.isFinite(e)?Math.floor(e):n))}function Et(e,t){let n=Math.max(1,Math.floor(t)),r=e.trim();if(!/^\d{1,6}$/.test(r))return{ok:!1,message:L.retentionInvalid(n)};let i=Number(r);return i<1||i>n?{ok:!1,message:L.retentionInvalid(n)}:{ok:!0,days:i}}var Z=o`
  :host {
    color: var(--primary-text-color, #212121);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, "Noto Sans", sans-serif));
    -webkit-font-smoothing: antialiased;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    box-shadow: var(--ha-card-box-shadow, none);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    color: var(--primary-text-color, #212121);
  }
  .secondary {
    color: var(--secondary-text-color, #727272);
  }
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 8px;
    min-height: 40px;
    min-width: 40px;
    padding: 0 16px;
    border-radius: 20px;
    border: 1px solid transparent;
    font: inherit;
    font-size: 14px;
    font-weight: 500;
    line-height: 1.2;
    letter-spacing: 0.01em;
    cursor: pointer;
    background: transparent;
    color: var(--primary-color, #03a9f4);
    text-align: center;
    white-space: normal;
    -webkit-tap-highlight-color: transparent;
  }
  .btn.primary {
    background: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  .btn.outline {
    border-color: var(--outline-color, var(--divider-color, #c4c4c4));
  }
  .btn.danger {
    color: var(--error-color, #db4437);
    border-color: var(--error-color, #db4437);
  }
  .btn.danger.primary {
    background: var(--error-color, #db4437);
    color: var(--text-primary-color, #fff);
  }
  .btn:hover:not(:disabled) {
    filter: brightness(1.08);
    background-image: linear-gradient(rgba(127, 127, 127, 0.08), rgba(127, 127, 127, 0.08));
  }
  .btn:disabled {
    opacity: 0.45;
    cursor: not-allowed;
  }
  .btn:focus-visible,
  a:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible,
  [role="tab"]:focus-visible {
    outline: 2px solid var(--primary-color, #03a9f4);
    outline-offset: 2px;
  }
  .icon-btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 40px;
    height: 40px;
    flex: none;
    border-radius: 50%;
    border: none;
    background: transparent;
    color: inherit;
    cursor: pointer;
    padding: 0;
  }
  .icon-btn:focus-visible {
    outline: 2px solid currentColor;
    outline-offset: 0;
  }
  .icon-btn svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
  }
  .spinner {
    width: 14px;
    height: 14px;
    flex: none;
    border-radius: 50%;
    border: 2px solid currentColor;
    border-right-color: transparent;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .alert {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 4px 4px 12px;
    border-radius: 8px;
    border-left: 4px solid var(--error-color, #db4437);
    background: color-mix(in srgb, var(--error-color, #db4437) 12%, transparent);
    color: var(--primary-text-color, #212121);
    overflow-wrap: anywhere;
  }
  .alert > span {
    flex: 1;
    padding: 8px 0;
  }
  .notice {
    padding: 10px 12px;
    border-radius: 8px;
    border-left: 4px solid var(--warning-color, #ffa600);
    background: color-mix(in srgb, var(--warning-color, #ffa600) 14%, transparent);
  }
  .notice.ok {
    border-left-color: var(--success-color, #43a047);
    background: color-mix(in srgb, var(--success-color, #43a047) 14%, transparent);
  }
  .notice.bad {
    border-left-color: var(--error-color, #db4437);
    background: color-mix(in srgb, var(--error-color, #db4437) 14%, transparent);
  }
  .chip {
    display: inline-flex;
    align-items: center;
    min-height: 24px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: 12px;
    font-weight: 500;
    background: color-mix(in srgb, var(--primary-text-color, #212121) 8%, transparent);
    color: var(--primary-text-color, #212121);
    white-space: nowrap;
  }
  .chip.pending {
    background: color-mix(in srgb, var(--warning-color, #ffa600) 22%, transparent);
  }
  .chip.good {
    background: color-mix(in srgb, var(--success-color, #43a047) 22%, transparent);
  }
  .chip.bad {
    background: color-mix(in srgb, var(--error-color, #db4437) 20%, transparent);
  }
  h2,
  h3 {
    margin: 0;
    font-weight: 500;
  }
  a {
    color: var(--primary-color, #03a9f4);
  }
`,Dt,Q=`porchlight-requests-card`,Ot=`/porchlight/requests`,kt=[`config_entry_id`,`title`];function At(e){if(typeof e!=`object`||!e||Array.isArray(e))throw Error(L.badConfig);let t=e;if(t.type!==`custom:porchlight-requests-card`&&t.type!==`porchlight-requests-card`)throw Error(L.badConfigType);let n={type:t.type};for(let[e,r]of Object.entries(t))if(e!==`type`&&e!==`view_layout`&&e!==`grid_options`&&e!==`visibility`){if(!kt.includes(e))throw Error(L.badConfigUnknown(e));if(r!=null&&r!==``){if(typeof r!=`string`)throw Error(L.badConfigField(e));n[e]=r.trim()}}return n}function jt(e){history.pushState(null,``,e),window.dispatchEvent(new CustomEvent(`location-changed`,{detail:{replace:!1}}))}var Mt=class extends M{constructor(){super(),this.data=new it(this,{collections:[`requests`]}),this.fmt={locale:`en`},this._config=void 0,this._busy=/* @__PURE__ */ new Map,this._errors=/* @__PURE__ */ new Map}static getStubConfig(){return{type:`custom:${Q}`}}static getConfigElement(){return document.createElement(`porchlight-requests-card-editor`)}setConfig(e){let t=At(e);this._config=t,this.data.setFixedEntry(t.config_entry_id)}get hass(){return this._hass}set hass(e){this._hass=e,this.data.setConnection(e?.connection);let t=ct(e);lt(t,this.fmt)||(this.fmt=t,this.requestUpdate())}connectedCallback(){st(this,`hass`),super.connectedCallback()}get pending(){return(this.data.requests.data?.requests??[]).filter(e=>e.status===`pending`)}getCardSize(){return this.data.requests.data?Math.min(12,1+Math.max(1,this.pending.length)*2):3}getGridOptions(){return{columns:12,min_columns:6,min_rows:2}}async act(e,t){if(this._busy.has(e.id))return;this._busy=new Map(this._busy).set(e.id,t);let n=new Map(this._errors);n.delete(e.id),this._errors=n;let r={request_id:e.id};if(t===`share_all`){let e=this.data.requests.data?.retention;r.retention_days=Tt(e?.default_days??30,e?.max_days??30)}try{await this.data.callService(t,r)}catch(t){this._errors=new Map(this._errors).set(e.id,H(t))}finally{let t=new Map(this._busy);t.delete(e.id),this._busy=t}}dismiss(e){let t=new Map(this._errors);t.delete(e),this._errors=t}onChooseClips(e){e.button!==0||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey||(e.preventDefault(),jt(Ot))}renderRequest(e){let t=this._busy.get(e.id),n=this._errors.get(e.id),r=e.clips?.length??0,i=Je(e);return T`<li class="request" data-request-id=${e.id}>
      <div class="line">
        <strong>${e.agency}</strong>
        <span class="secondary">· ${I(e.incident_type)}</span>
      </div>
      <div class="secondary">
        ${_t(e.window_start,e.window_end,this.fmt)} · ${L.cardClipCount(r)}
      </div>
      <div class="secondary">
        <porchlight-relative-time kind="expiry" datetime=${e.expires_at} .fmt=${this.fmt}></porchlight-relative-time>
      </div>
      ${i?T`<div class="buttons">
            <button
              class="btn outline"
              ?disabled=${!!t||r===0}
              @click=${()=>void this.act(e,`share_all`)}
            >
              ${z(t===`share_all`,L.shareAll,L.sharing)}
            </button>
            <button class="btn outline" ?disabled=${!!t} @click=${()=>void this.act(e,`decline`)}>
              ${z(t===`decline`,L.decline,L.declining)}
            </button>
            <a class="btn link" href=${Ot} @click=${this.onChooseClips}>${L.chooseClips}</a>
          </div>`:e.queued?T`<p class="notice" role="status">${L.queued}</p>`:D}
      ${n?R(n,()=>this.dismiss(e.id)):D}
    </li>`}render(){let e=this.data.requests,t=this._config?.title||L.cardTitle,n=this.pending,r;return r=this.data.entries?.length===0&&this.data.entriesError===void 0?T`<p class="secondary">${L.noEntries}</p>`:e.data?n.length?T`<ul>
        ${F(n,e=>e.id,e=>this.renderRequest(e))}
      </ul>`:T`<p class="secondary">${L.cardNoPending}</p>`:B(e,L.cardTitle,()=>void this.data.refresh(`requests`)),T`<div class="card">
      <h2>${t}</h2>
      ${r}
    </div>`}};Dt=Mt,Dt.properties={_config:{state:!0},_busy:{state:!0},_errors:{state:!0}},Dt.styles=[Z,o`
      :host {
        display: block;
      }
      .card {
        padding: 16px;
        height: 100%;
      }
      h2 {
        font-size: 20px;
        font-weight: 400;
        margin: 0 0 12px;
      }
      p {
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .request {
        display: flex;
        flex-direction: column;
        gap: 4px;
        padding: 12px 0;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        overflow-wrap: anywhere;
      }
      .request:first-child {
        border-top: none;
        padding-top: 0;
      }
      .buttons {
        margin-top: 8px;
      }
      .btn.link {
        text-decoration: none;
      }
    `];var Nt,Pt=class extends M{constructor(){super(),this.hass=void 0,this._config={type:`custom:${Q}`}}setConfig(e){this._config={...e}}onInput(e,t){let n=t.target.value,r={...this._config};n.trim()?r[e]=n:delete r[e],this._config=r,ot(this,`config-changed`,{config:r})}renderField(e,t){return T`<label>
      <span>${t}</span>
      <input
        type="text"
        name=${e}
        .value=${this._config[e]??``}
        @input=${t=>this.onInput(e,t)}
      />
    </label>`}render(){return T`<div class="editor">
      ${this.renderField(`title`,L.editorTitle)}
      ${this.renderField(`config_entry_id`,L.editorEntry)}
    </div>`}};Nt=Pt,Nt.properties={hass:{attribute:!1},_config:{state:!0}},Nt.styles=[Z,o`
      .editor {
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 4px;
        font-size: 14px;
      }
      input {
        min-height: 40px;
        padding: 0 12px;
        font: inherit;
        color: var(--primary-text-color, #212121);
        background: var(--card-background-color, #fff);
        border: 1px solid var(--divider-color, #c4c4c4);
        border-radius: 8px;
      }
    `];var Ft=60;function It(e){return e.length>Ft?`${e.slice(0,59)}…`:e}function Lt(e){return Array.isArray(e)?e.length:typeof e==`number`&&Number.isInteger(e)&&e>=0?e:null}var Rt=[`agency`,`case_number`,`incident_type`,`clip_ids`,`clips`,`retention_days`,`status`,`reason`,`rule`,`policy_violation`];function zt(e){if(typeof e!=`object`||!e||Array.isArray(e))return``;let t=e,n=[],r=e=>{let n=t[e];return typeof n==`string`&&n?It(n):null},i=r(`agency`);i&&n.push(i);let a=r(`case_number`);a&&n.push(L.summaryCase(a));let o=r(`incident_type`);o&&n.push(o.replace(/_/g,` `));let s=Lt(t.clip_ids)??Lt(t.clips);s!==null&&n.push(L.summaryClips(s));let c=Lt(t.retention_days);c!==null&&n.push(L.summaryDays(c));for(let e of[`status`,`reason`,`rule`,`policy_violation`]){let t=r(e);t&&n.push(t.replace(/_/g,` `))}if(n.length)return n.join(` · `);for(let[e,r]of Object.entries(t))if(!Rt.includes(e)&&((typeof r==`string`||typeof r==`number`||typeof r==`boolean`)&&n.push(`${e.replace(/_/g,` `)}: ${It(String(r))}`),n.length===3))break;return n.join(` · `)}var Bt,Vt=class extends M{constructor(){super(),this.state={loading:!0,olderLoading:!1,hasOlder:!1},this.fmt={locale:`en`},this.onExport=void 0,this.onLoadOlder=void 0,this.onRetry=void 0,this._exporting=!1,this._error=null}async export(){if(!this._exporting&&this.onExport){this._exporting=!0,this._error=null;try{await this.onExport()}catch(e){this._error=H(e)}finally{this._exporting=!1}}}renderEntry(e){let t=zt(e.data);return T`<li class="entry">
      <div class="entry-head">
        <span class="kind">${Ye(e.kind)}</span>
        <span class="secondary">${Y(e.ts,this.fmt)}</span>
        <span class="secondary seq">${L.ledgerSeq(e.seq)}</span>
      </div>
      ${t?T`<p class="summary">${t}</p>`:D}
      <details>
        <summary>${L.rawData}</summary>
        <pre>${JSON.stringify(e,null,2)}</pre>
      </details>
    </li>`}render(){let{state:e}=this,t=e.data,n=T`<div class="toolbar">
      <button class="btn primary" ?disabled=${this._exporting||!this.onExport} @click=${this.export}>
        ${z(this._exporting,L.exportLedger,L.exporting)}
      </button>
      <span class="secondary hint">${L.exportHint}</span>
    </div>
    ${this._error?R(this._error,()=>this._error=null):D}`;if(!t)return T`${n}${B(e,L.tabs.ledger,this.onRetry)}`;let r=t.verified?T`<p class="notice ok banner" role="status">${L.ledgerVerified(t.count)}</p>`:T`<p class="notice bad banner" role="alert">
          ${t.problem?L.ledgerBroken(t.problem):L.ledgerBrokenUnknown}
        </p>`,i=t.entries??[];return T`
      ${r} ${n}
      ${e.error?B(e,L.tabs.ledger,this.onRetry):D}
      ${i.length?T`<ol class="card entries">
            ${F(i,e=>e.seq,e=>this.renderEntry(e))}
          </ol>`:T`<p class="secondary">${L.noLedger}</p>`}
      ${e.olderError?T`<div class="alert" role="alert"><span>${e.olderError}</span></div>`:D}
      ${e.hasOlder&&i.length?T`<div class="more">
            <button class="btn outline" ?disabled=${e.olderLoading} @click=${()=>this.onLoadOlder?.()}>
              ${z(e.olderLoading,L.loadOlder,L.loadingOlder)}
            </button>
          </div>`:D}
    `}};Bt=Vt,Bt.properties={state:{attribute:!1},fmt:{attribute:!1},onExport:{attribute:!1},onLoadOlder:{attribute:!1},onRetry:{attribute:!1},_exporting:{state:!0},_error:{state:!0}},Bt.styles=[Z,o`
      :host {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      p {
        margin: 0;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
      }
      .hint {
        font-size: 13px;
      }
      .entries {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .entry {
        padding: 12px 16px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 0;
      }
      .entry:first-child {
        border-top: none;
      }
      .entry-head {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        align-items: baseline;
      }
      .kind {
        font-weight: 500;
      }
      .seq {
        margin-left: auto;
        font-variant-numeric: tabular-nums;
      }
      .summary {
        overflow-wrap: anywhere;
      }
      details summary {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        min-height: 40px;
        padding-right: 8px;
        cursor: pointer;
        color: var(--primary-color, #03a9f4);
        font-size: 14px;
        list-style: none;
      }
      details summary::-webkit-details-marker {
        display: none;
      }
      details summary::before {
        content: "";
        width: 0;
        height: 0;
        border-style: solid;
        border-width: 5px 0 5px 7px;
        border-color: transparent transparent transparent currentColor;
        transition: transform 0.15s;
      }
      details[open] summary::before {
        transform: rotate(90deg);
      }
      pre {
        margin: 0;
        padding: 8px;
        border-radius: 8px;
        background: var(--primary-background-color, #fafafa);
        font-size: 12px;
        overflow-x: auto;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .more {
        display: flex;
        justify-content: center;
      }
    `];var Ht=/* @__PURE__ */ new Set;function Ut(e,t,n){let r=n??!e.has(t);if(r===e.has(t))return e;let i=new Set(e);return r?i.add(t):i.delete(t),i}function Wt(e){let t=new Set(e);return t.size?t:Ht}function Gt(e,t){if(!e.size)return e;let n=new Set(t),r=!1;for(let t of e)if(!n.has(t)){r=!0;break}return r?new Set([...e].filter(e=>n.has(e))):e}function Kt(e,t){return t.length>0&&t.every(t=>e.has(t))}function qt(e,t){return t.filter(t=>e.has(t))}var Jt=o`
  :host {
    display: block;
    container-type: inline-size;
    /* Off-screen requests skip style, layout and paint until scrolled to. */
    content-visibility: auto;
    contain-intrinsic-size: auto 720px;
  }
  article {
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
  .title-row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  h3 {
    font-size: 18px;
    overflow-wrap: anywhere;
  }
  h4 {
    margin: 0;
    font-size: 14px;
    font-weight: 500;
  }
  p {
    margin: 0;
  }
  .case {
    margin-top: 4px;
    overflow-wrap: anywhere;
  }
  .body {
    display: flex;
    gap: 16px;
    align-items: flex-start;
  }
  .text {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .map {
    flex: 0 0 140px;
  }
  .facts {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 0;
  }
  .facts > div {
    display: contents;
  }
  dt {
    color: var(--secondary-text-color, #727272);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .description {
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .clips-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 12px;
    margin-bottom: 8px;
  }
  .clips-head .count {
    font-size: 13px;
  }
  .clips-head .btn {
    margin-left: auto;
  }
  .clips {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
    gap: 8px;
  }
  .decided .clips {
    grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
  }
  .clip {
    display: flex;
    flex-direction: column;
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: 8px;
    min-width: 0;
  }
  .pick {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 40px;
    padding: 4px 8px 0;
    cursor: pointer;
    font-size: 14px;
    overflow-wrap: anywhere;
  }
  .pick.static {
    cursor: default;
  }
  .pick input {
    width: 20px;
    height: 20px;
    margin: 0;
    flex: none;
    accent-color: var(--primary-color, #03a9f4);
    cursor: pointer;
  }
  .clip-meta {
    font-size: 12px;
    padding: 0 8px 8px;
  }
  .pick.static + .clip-meta,
  .pick input + span {
    min-width: 0;
  }
  .actions {
    display: flex;
    flex-direction: column;
    gap: 8px;
    border-top: 1px solid var(--divider-color, #e0e0e0);
    padding-top: 12px;
  }
  .retention {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .retention input {
    width: 88px;
    min-height: 40px;
    padding: 0 8px;
    font: inherit;
    color: var(--primary-text-color, #212121);
    background: var(--primary-background-color, #fafafa);
    border: 1px solid var(--divider-color, #c4c4c4);
    border-radius: 8px;
  }
  .retention input[aria-invalid="true"] {
    border-color: var(--error-color, #db4437);
    border-width: 2px;
  }
  .hint {
    font-size: 13px;
  }
  .field-error {
    color: var(--error-color, #db4437);
    font-size: 14px;
  }
  .outcome {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .violation {
    color: var(--error-color, #db4437);
  }
  @container (max-width: 560px) {
    .body {
      flex-direction: column;
    }
    .map {
      flex: none;
      width: 140px;
    }
    .clips {
      grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
    }
    .buttons .btn {
      flex: 1 1 auto;
    }
  }
`,Yt=6371008.8;function Xt(e,t){let n=Math.PI/180;return{east:(t.longitude-e.longitude)*n*Math.cos(e.latitude*n)*Yt,north:(t.latitude-e.latitude)*n*Yt}}function Zt(e){if(!(e>1))return 1;let t=10**Math.floor(Math.log10(e));for(let n of[5,2,1])if(n*t<=e)return n*t;return t}function Qt(e){return!!e&&Number.isFinite(e.latitude)&&Number.isFinite(e.longitude)&&Math.abs(e.latitude)<=90&&Math.abs(e.longitude)<=180}function $t(e,t,n=160,r=14){let i=Number.isFinite(e.radius_m)&&e.radius_m>0?e.radius_m:1,a=n/2-r,o={x:n/2,y:n/2},s=null,c=null;Qt(t)&&Qt(e)&&(s=Xt(e,t),c=Math.hypot(s.east,s.north));let l=Math.max(i*1.25,Math.min((c??0)*1.2,i*4)),u=l/a,d=null,f=!1;if(s){let e=s.east/u,t=-s.north/u,n=Math.hypot(e,t);n>a&&(e=e/n*a,t=t/n*a,f=!0),d={x:o.x+e,y:o.y+t}}let p=Zt(l*.8);return{size:n,centre:o,radius:i/u,home:d,homeDistanceM:c,homeInside:c===null?null:c<=i,homeOffChart:f,scale:{meters:p,length:p/u}}}function en(e,t,n){let r=$t(e,t),i=X(e.radius_m,n),a=r.homeDistanceM,o=a===null?L.homeUnknown:r.homeInside?L.homeInside(X(a,n)):L.homeOutside(X(a,n));return L.mapLabel(i,o)}function tn(e,t,n){let r=$t(e,t),{size:i,centre:a,radius:o,scale:s}=r,c=i-10,l=xe``;if(r.home){let{x:e,y:t}=r.home;if(r.homeOffChart){let o=Math.atan2(t-a.y,e-a.x)*180/Math.PI,s=L.mapHomeFar(X(r.homeDistanceM??0,n));l=xe`<g transform="translate(${e} ${t}) rotate(${o})">
          <path class="home" d="M6 0 L-6 -6 L-3 0 L-6 6 Z"></path></g>
        <text class="label" x=${Math.min(i-40,Math.max(40,e))} y=${t<a.y?t+18:t-10} text-anchor="middle">${s}</text>`}else l=xe`<g transform="translate(${e} ${t})">
          <path class="home" d="M0 -7 L7 0 L4.5 0 L4.5 6 L-4.5 6 L-4.5 0 L-7 0 Z"></path></g>
        <text class="label" x=${e} y=${t>i-30?t-10:t+17} text-anchor="middle">${L.mapHome}</text>`}return T`<svg
    class="area-map"
    viewBox="0 0 ${i} ${i}"
    role="img"
    aria-label=${en(e,t,n)}
  >
    <rect class="bg" x="0.5" y="0.5" width=${i-1} height=${i-1} rx="8"></rect>
    <circle class="area" cx=${a.x} cy=${a.y} r=${o}></circle>
    <path class="centre" d="M${a.x-4} ${a.y} h8 M${a.x} ${a.y-4} v8"></path>
    ${l}
    <g class="north" transform="translate(${i-14} 16)">
      <path d="M0 -8 L4 4 L0 1 L-4 4 Z"></path>
      <text class="label" x="0" y="14" text-anchor="middle">N</text>
    </g>
    <path class="scale" d="M${10} ${c-4} V${c} H${10+s.length} V${c-4}"></path>
    <text class="label" x=${10} y=${c-7}>${X(s.meters,n)}</text>
  </svg>`}var nn=o`
  .area-map {
    display: block;
    width: 100%;
    max-width: 160px;
    height: auto;
    aspect-ratio: 1;
  }
  .area-map .bg {
    fill: var(--primary-background-color, #fafafa);
    stroke: var(--divider-color, #e0e0e0);
  }
  .area-map .area {
    fill: color-mix(in srgb, var(--primary-color, #03a9f4) 18%, transparent);
    stroke: var(--primary-color, #03a9f4);
    stroke-width: 1.5;
  }
  .area-map .centre,
  .area-map .scale {
    fill: none;
    stroke: var(--secondary-text-color, #727272);
    stroke-width: 1.2;
  }
  .area-map .home {
    fill: var(--warning-color, #ffa600);
    stroke: var(--primary-text-color, #212121);
    stroke-width: 0.8;
  }
  .area-map .north path {
    fill: var(--secondary-text-color, #727272);
  }
  .area-map .label {
    font-size: 10px;
    fill: var(--primary-text-color, #212121);
    paint-order: stroke;
    stroke: var(--primary-background-color, #fafafa);
    stroke-width: 3px;
  }
`;function rn(e,t,n=!0){return e.content_type.startsWith(`video/`)?n?T`<video
      class="media"
      controls
      preload="none"
      playsinline
      src=${e.url}
      aria-label=${t}
    ></video>`:T`<div class="media placeholder" aria-hidden="true"></div>`:T`<img class="media" loading="lazy" decoding="async" src=${e.url} alt=${t} />`}var an=o`
  .media {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    object-fit: cover;
    background: #000;
    border-radius: 8px 8px 0 0;
  }
`,on=`800px 0px`,sn,cn=/* @__PURE__ */ new WeakMap;function ln(){if(typeof IntersectionObserver==`function`)return sn??=new IntersectionObserver(e=>{for(let t of e)cn.get(t.target)?.(t.isIntersecting)},{rootMargin:on}),sn}function un(e,t){let n=ln();return n?(cn.set(e,t),n.observe(e),()=>{cn.delete(e),n.unobserve(e)}):(queueMicrotask(()=>t(!0)),()=>void 0)}var dn,fn={default_days:30,max_days:30},pn=0,mn=class extends M{constructor(){super(),this.ids=`pl-r${++pn}`,this.retentionTouched=!1,this.retention=fn,this.home=null,this.fmt={locale:`en`},this.runAction=void 0,this._selection=Ht,this._retentionText=``,this._busy=null,this._error=null,this._near=!1}connectedCallback(){super.connectedCallback(),this.stopWatching=un(this,e=>{(e||!this.playing())&&(this._near=e)})}playing(){return[...this.renderRoot.querySelectorAll(`video`)].some(e=>!e.paused)}disconnectedCallback(){super.disconnectedCallback(),this.stopWatching?.(),this.stopWatching=void 0}get selectedClipIds(){return qt(this._selection,this.clipIds)}get clipIds(){return(this.request?.clips??[]).map(e=>e.id)}willUpdate(e){if(e.has(`request`)&&(this._selection=Gt(this._selection,this.clipIds)),e.has(`retention`)&&!this.retentionTouched){let e=this.retention??fn;this._retentionText=String(Tt(e.default_days,e.max_days))}}onClipChange(e){let t=e.target,n=t.dataset.clipId;n&&(this._selection=Ut(this._selection,n,t.checked))}onToggleAll(){this._selection=Kt(this._selection,this.clipIds)?Ht:Wt(this.clipIds)}onRetentionInput(e){this.retentionTouched=!0,this._retentionText=e.target.value}async act(e,t){if(!this._busy&&this.runAction){this._busy=e,this._error=null;try{await this.runAction(e,{request_id:this.request.id,...t}),this._selection=Ht}catch(e){this._error=H(e)}finally{this._busy=null}}}onShareSelected(e){this.act(`share_clips`,{clip_ids:this.selectedClipIds,retention_days:e})}onShareAll(e){this.act(`share_all`,{retention_days:e})}onDecline(){this.act(`decline`,{})}renderFacts(e){let{fmt:t}=this;return T`<dl class="facts">
      <div><dt>${L.incident}</dt><dd>${I(e.incident_type)}</dd></div>
      <div><dt>${L.window}</dt><dd>${_t(e.window_start,e.window_end,t)}</dd></div>
      ${e.distance_m===null||e.distance_m===void 0?D:T`<div>
            <dt>${L.distance}</dt>
            <dd>${L.distanceFromHome(X(e.distance_m,t.locale))}</dd>
          </div>`}
      ${e.status===`pending`?T`<div>
            <dt>${L.expiry}</dt>
            <dd class="expiry">
              <porchlight-relative-time kind="expiry" datetime=${e.expires_at} .fmt=${t}></porchlight-relative-time>
            </dd>
          </div>`:D}
      ${e.contact?T`<div><dt>${L.contact}</dt><dd>${e.contact}</dd></div>`:D}
    </dl>`}renderClip(e,t,n){let r=mt(e.start,this.request.window_start,this.fmt),i=L.clipLabel(e.doorbell_name||e.doorbell,r),a=gt(Date.parse(e.end)-Date.parse(e.start)),o=`${L.clipKinds[e.kind]??I(e.kind)} · ${a} · ${bt(e.size,this.fmt.locale)}`;return T`<li class="clip">
      ${rn(e,i,this._near)}
      ${t?T`<label class="pick">
            <input
              type="checkbox"
              data-clip-id=${e.id}
              .checked=${this._selection.has(e.id)}
              ?disabled=${n}
            />
            <span>${i}</span>
          </label>`:T`<span class="pick static">${i}</span>`}
      <span class="clip-meta secondary">${o}</span>
    </li>`}renderClips(e,t,n){let r=e.clips??[];if(!r.length)return t?T`<p class="secondary">${L.noClips}</p>`:T``;let i=Kt(this._selection,this.clipIds);return T`<section class="clips-section" aria-labelledby="${this.ids}-clips">
      <div class="clips-head">
        <h4 id="${this.ids}-clips">
          ${t?L.clipsHeading(r.length):L.sharedClipsHeading(r.length)}
        </h4>
        ${t?T`<span class="secondary count" aria-live="polite"
                >${L.selectedCount(this._selection.size,r.length)}</span
              >
              <button class="btn" ?disabled=${n} @click=${this.onToggleAll}>
                ${i?L.selectNone:L.selectAll}
              </button>`:D}
      </div>
      <ul class="clips" @change=${this.onClipChange}>
        ${F(r,e=>e.id,e=>this.renderClip(e,t,n))}
      </ul>
    </section>`}renderActions(e){let t=Math.max(1,Math.floor((this.retention??fn).max_days)),n=Et(this._retentionText,t),r=this._busy,i=e.clips?.length??0,a=n.ok&&!r&&!!this.runAction,o=n.ok?n.days:0,s=`${this.ids}-retention-error`,c=`${this.ids}-retention-hint`;return T`<div class="actions">
      <div class="retention">
        <label for="${this.ids}-days">${L.keepFor}</label>
        <input
          id="${this.ids}-days"
          type="number"
          inputmode="numeric"
          min="1"
          max=${t}
          step="1"
          .value=${this._retentionText}
          ?disabled=${!!r}
          aria-invalid=${n.ok?`false`:`true`}
          aria-describedby="${c} ${s}"
          @input=${this.onRetentionInput}
        />
        <span id=${c} class="secondary hint">${L.keepForHint(t)}</span>
      </div>
      <p id=${s} class="field-error" ?hidden=${n.ok}>${n.ok?``:n.message}</p>
      <div class="buttons">
        <button
          class="btn primary"
          ?disabled=${!a||this._selection.size===0}
          @click=${()=>this.onShareSelected(o)}
        >
          ${z(r===`share_clips`,L.shareSelected,L.sharing)}
        </button>
        <button
          class="btn outline"
          ?disabled=${!a||i===0}
          @click=${()=>this.onShareAll(o)}
        >
          ${z(r===`share_all`,L.shareAll,L.sharing)}
        </button>
        <button class="btn outline" ?disabled=${!!r||!this.runAction} @click=${this.onDecline}>
          ${z(r===`decline`,L.decline,L.declining)}
        </button>
      </div>
    </div>`}renderOutcome(e){let t=e.decision?L.yourDecision[e.decision]:null;return T`<div class="outcome">
      ${e.queued?T`<p class="notice" role="status">${L.queued}</p>`:D}
      <p>
        ${e.status===`pending`&&t?T`<strong>${t}</strong>`:T`<strong>${L.outcome}:</strong> ${L.status[e.status]??I(e.status)}`}
        <span class="secondary">
          · <porchlight-relative-time kind="updated" datetime=${e.updated_at} .fmt=${this.fmt}></porchlight-relative-time>
        </span>
      </p>
      ${e.policy_violation?T`<p class="violation"><strong>${L.policyViolation}:</strong> ${I(e.policy_violation)}</p>`:D}
    </div>`}render(){let e=this.request;if(!e)return T``;let t=Je(e),n=!!this._busy;return T`<article class="card ${t?``:`decided`}" aria-labelledby="${this.ids}-title">
      <header>
        <div class="title-row">
          <h3 id="${this.ids}-title">${e.agency}</h3>
          <span class="chip">${Xe(e.agency_kind)}</span>
          ${t?D:T`<span class="chip ${qe(e.status)}">${L.status[e.status]??I(e.status)}</span>`}
        </div>
        <p class="case secondary">${L.caseNumber} ${e.case_number}</p>
      </header>
      <div class="body">
        <div class="text">
          ${this.renderFacts(e)}
          ${e.description?T`<p class="description">${e.description}</p>`:D}
        </div>
        <div class="map">${tn(e.area,this.home,this.fmt.locale)}</div>
      </div>
      ${t?D:this.renderOutcome(e)}
      ${this.renderClips(e,t,n)}
      ${t?this.renderActions(e):D}
      ${this._error?R(this._error,()=>this._error=null):D}
    </article>`}};dn=mn,dn.properties={request:{attribute:!1},retention:{attribute:!1},home:{attribute:!1},fmt:{attribute:!1},runAction:{attribute:!1},_selection:{state:!0},_retentionText:{state:!0},_busy:{state:!0},_error:{state:!0},_near:{state:!0}},dn.styles=[Z,nn,an,Jt];var hn=3e4,gn=/* @__PURE__ */ new Set,_n;function vn(e){return gn.add(e),_n??=setInterval(()=>{for(let e of[...gn])e()},hn),()=>{gn.delete(e),!gn.size&&_n!==void 0&&(clearInterval(_n),_n=void 0)}}var yn,bn=class extends M{constructor(){super(),this.datetime=``,this.kind=`expiry`,this.fmt={locale:`en`}}createRenderRoot(){return this}connectedCallback(){super.connectedCallback(),this.stop=vn(()=>this.requestUpdate())}disconnectedCallback(){super.disconnectedCallback(),this.stop?.(),this.stop=void 0}render(){let e=Date.now(),{locale:t}=this.fmt,n=this.kind===`expiry`?Ct(this.datetime,e,t):this.kind===`deleted`?L.deleted(St(this.datetime,e,t)):L.decidedRel(St(this.datetime,e,t));return T`<time datetime=${this.datetime} title=${Y(this.datetime,this.fmt)}>${n}</time>`}};yn=bn,yn.properties={datetime:{},kind:{},fmt:{attribute:!1}};var xn,Sn=class extends M{constructor(){super(),this.state={loading:!0},this.fmt={locale:`en`},this.runAction=void 0,this.onRetry=void 0}renderList(e,t){return T`<div class="list">
      ${F(e,e=>e.id,e=>T`<porchlight-request-item
            data-request-id=${e.id}
            .request=${e}
            .retention=${t.retention}
            .home=${t.home}
            .fmt=${this.fmt}
            .runAction=${this.runAction}
          ></porchlight-request-item>`)}
    </div>`}render(){let{state:e}=this,t=e.data;if(!t)return B(e,L.tabs.requests,this.onRetry);let n=t.requests??[],r=n.filter(e=>e.status===`pending`),i=n.filter(e=>e.status!==`pending`);return T`
      ${e.error?B(e,L.tabs.requests,this.onRetry):D}
      ${n.length===0?T`<p class="empty secondary">${L.noRequests}</p>`:T`<section aria-labelledby="pending-h">
              <h2 id="pending-h">${L.pendingHeading} <span class="count">(${r.length})</span></h2>
              ${r.length?this.renderList(r,t):T`<p class="empty secondary">${L.noPending}</p>`}
            </section>
            ${i.length?T`<section aria-labelledby="earlier-h">
                  <h2 id="earlier-h">${L.earlierHeading} <span class="count">(${i.length})</span></h2>
                  ${this.renderList(i,t)}
                </section>`:D}`}
    `}};xn=Sn,xn.properties={state:{attribute:!1},fmt:{attribute:!1},runAction:{attribute:!1},onRetry:{attribute:!1}},xn.styles=[Z,o`
      :host {
        display: block;
      }
      section + section {
        margin-top: 28px;
      }
      h2 {
        font-size: 16px;
        margin: 0 4px 12px;
        color: var(--secondary-text-color, #727272);
      }
      .count {
        font-weight: 400;
      }
      .list {
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      .empty {
        margin: 8px 4px 16px;
      }
    `];var Cn;function wn(e){return e.status===`active`&&!e.queued}var Tn=class extends M{constructor(){super(),this.focusAfterUpdate=null,this.fmt={locale:`en`},this.runAction=void 0,this._confirming=!1,this._busy=!1,this._error=null}updated(e){if(super.updated(e),this.focusAfterUpdate){let e=this.renderRoot.querySelector(this.focusAfterUpdate===`cancel`?`button.cancel`:`button.revoke`);this.focusAfterUpdate=null,e?.focus()}}ask(){this._confirming=!0,this._error=null,this.focusAfterUpdate=`cancel`}cancel(){this._confirming=!1,this.focusAfterUpdate=`revoke`}onConfirmKey(e){e.key===`Escape`&&(e.stopPropagation(),this.cancel())}async revoke(){if(!this._busy&&this.runAction){this._busy=!0;try{await this.runAction(`revoke_share`,{share_id:this.share.share_id}),this._confirming=!1}catch(e){this._error=H(e),this._confirming=!1,this.focusAfterUpdate=`revoke`}finally{this._busy=!1}}}renderRevoke(e){return wn(e)?this._confirming?T`<div class="confirm" role="group" aria-label=${L.revokeConfirm} @keydown=${this.onConfirmKey}>
      <p>${L.revokeConfirm}</p>
      <div class="buttons">
        <button class="btn primary danger yes" ?disabled=${this._busy} @click=${this.revoke}>
          ${z(this._busy,L.revokeYes,L.revoking)}
        </button>
        <button class="btn outline cancel" ?disabled=${this._busy} @click=${this.cancel}>${L.revokeNo}</button>
      </div>
    </div>`:T`<div class="buttons">
        <button class="btn outline danger revoke" ?disabled=${!this.runAction} @click=${this.ask}>
          ${L.revoke}
        </button>
      </div>`:D}render(){let e=this.share;if(!e)return T``;let{fmt:t}=this,n=new Map(e.clips.map(e=>[e.clip_id,e])),r=e.status===`deleted`||e.status===`revoked`,i=e.status===`active`?`good`:e.status===`queued`?`pending`:``;return T`<article class="card" aria-labelledby="t">
      <header>
        <div class="title-row">
          <h3 id="t">${e.agency}</h3>
          <span class="chip ${i}">${L.shareStatus[e.status]??I(e.status)}</span>
        </div>
        <p class="secondary case">${L.caseNumber} ${e.case_number}</p>
      </header>
      <p class="expiry">
        ${r&&e.deleted_at?T`<porchlight-relative-time kind="deleted" datetime=${e.deleted_at} .fmt=${t}></porchlight-relative-time>`:T`<strong
                ><porchlight-relative-time kind="expiry" datetime=${e.expires_at} .fmt=${t}></porchlight-relative-time
              ></strong>
              <span class="secondary">(${Y(e.expires_at,t)})</span>`}
        <span class="secondary"> · ${L.keptFor(e.retention_days)}</span>
      </p>
      ${e.queued||e.status===`queued`?T`<p class="notice" role="status">${L.queued}</p>`:D}
      <section>
        <h4>${L.sharedClips} (${e.clips.length})</h4>
        <ul>
          ${e.clips.map(e=>T`<li>
              ${L.clipLabel(e.camera,pt(e.start,t))}
              <span class="secondary">· ${bt(e.size,t.locale)}${e.uploaded?``:` · ${L.notUploaded}`}</span>
            </li>`)}
        </ul>
      </section>
      <section>
        <h4>${L.accesses} (${e.accesses.length})</h4>
        ${e.accesses.length?T`<ul>
              ${e.accesses.map(e=>{let r=n.get(e.clip_id),i=r?L.clipLabel(r.camera,mt(r.start,e.accessed_at,t)):e.clip_id;return T`<li>${L.accessLine(Y(e.accessed_at,t),e.agency,i)}</li>`})}
            </ul>`:T`<p class="secondary">${L.noAccesses}</p>`}
      </section>
      ${this.renderRevoke(e)}
      ${this._error?R(this._error,()=>this._error=null):D}
    </article>`}};Cn=Tn,Cn.properties={share:{attribute:!1},fmt:{attribute:!1},runAction:{attribute:!1},_confirming:{state:!0},_busy:{state:!0},_error:{state:!0}},Cn.styles=[Z,o`
      :host {
        display: block;
      }
      article {
        padding: 16px;
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
      }
      h3 {
        font-size: 18px;
        overflow-wrap: anywhere;
      }
      h4 {
        margin: 0 0 4px;
        font-size: 14px;
        font-weight: 500;
      }
      p {
        margin: 0;
      }
      .case {
        margin-top: 4px;
      }
      ul {
        margin: 0;
        padding-left: 20px;
      }
      li {
        overflow-wrap: anywhere;
        padding: 2px 0;
      }
      .confirm {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding: 12px;
        border-radius: 8px;
        border: 1px solid var(--error-color, #db4437);
      }
    `];var En,Dn=class extends M{constructor(){super(),this.state={loading:!0},this.fmt={locale:`en`},this.runAction=void 0,this.onRetry=void 0}renderList(e){return T`<div class="list">
      ${F(e,e=>e.share_id,e=>T`<porchlight-share-item
            data-share-id=${e.share_id}
            .share=${e}
            .fmt=${this.fmt}
            .runAction=${this.runAction}
          ></porchlight-share-item>`)}
    </div>`}render(){let{state:e}=this,t=e.data;if(!t)return B(e,L.tabs.shares,this.onRetry);let n=t.shares??[],r=n.filter(e=>e.status===`active`||e.status===`queued`),i=n.filter(e=>e.status!==`active`&&e.status!==`queued`);return T`
      ${e.error?B(e,L.tabs.shares,this.onRetry):D}
      ${n.length===0?T`<p class="empty secondary">${L.noShares}</p>`:D}
      ${r.length?T`<section aria-labelledby="active-h">
            <h2 id="active-h">${L.activeHeading} <span class="count">(${r.length})</span></h2>
            ${this.renderList(r)}
          </section>`:D}
      ${i.length?T`<section aria-labelledby="past-h">
            <h2 id="past-h">${L.pastHeading} <span class="count">(${i.length})</span></h2>
            ${this.renderList(i)}
          </section>`:D}
    `}};En=Dn,En.properties={state:{attribute:!1},fmt:{attribute:!1},runAction:{attribute:!1},onRetry:{attribute:!1}},En.styles=[Z,o`
      :host {
        display: block;
      }
      section + section {
        margin-top: 28px;
      }
      h2 {
        font-size: 16px;
        margin: 0 4px 12px;
        color: var(--secondary-text-color, #727272);
      }
      .count {
        font-weight: 400;
      }
      .list {
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      .empty {
        margin: 8px 4px 16px;
      }
    `];function On(e,t){let n=new Blob([JSON.stringify(t,null,2)],{type:`application/json`}),r=URL.createObjectURL(n),i=document.createElement(`a`);i.href=r,i.download=e,i.rel=`noopener`,i.style.display=`none`,document.body.append(i),i.click(),i.remove(),setTimeout(()=>URL.revokeObjectURL(r),1e4)}var kn,$=[`requests`,`shares`,`ledger`],An=`M3,6H21V8H3V6M3,11H21V13H3V11M3,16H21V18H3V16Z`;function jn(e){let t=e?.path?.split(`/`).filter(Boolean)[0];return $.includes(t??``)?t:null}var Mn=class extends M{constructor(){super(),this.data=new it(this,{collections:[`requests`,`shares`,`ledger`]}),this.fmt={locale:`en`},this.runAction=(e,t)=>this.data.callService(e,t),this.retry=e=>()=>void this.data.refresh(e),this.retryRequests=this.retry(`requests`),this.retryShares=this.retry(`shares`),this.retryLedger=this.retry(`ledger`),this.loadOlder=()=>void this.data.loadOlder(),this.exportLedger=async()=>{let e=await this.data.callService(`export_ledger`,{});On(`porchlight-ledger-${wt(/* @__PURE__ */ new Date,this.fmt)}.json`,e??{})},this.narrow=!1,this.route=void 0,this.panel=void 0,this._view=`requests`}get hass(){return this._hass}set hass(e){this._hass=e,this.data.setConnection(e?.connection);let t=ct(e);lt(t,this.fmt)||(this.fmt=t,this.requestUpdate())}connectedCallback(){st(this,`hass`),super.connectedCallback()}willUpdate(e){if(e.has(`route`)){let e=jn(this.route);e&&(this._view=e)}}selectView(e,t=!1){this._view=e;let n=this.route?.prefix;n&&typeof history<`u`&&history.replaceState(history.state,``,`${n}/${e}`),t&&this.updateComplete.then(()=>this.renderRoot.querySelector(`#tab-${e}`)?.focus())}onTabKey(e){let t=$.indexOf(this._view),n=null;e.key===`ArrowRight`?n=(t+1)%$.length:e.key===`ArrowLeft`?n=(t-1+$.length)%$.length:e.key===`Home`?n=0:e.key===`End`&&(n=$.length-1),n!==null&&(e.preventDefault(),this.selectView($[n]??`requests`,!0))}toggleMenu(){ot(this,`hass-toggle-menu`)}onEntryChange(e){this.data.selectEntry(e.target.value)}renderHeader(){let e=this.data.entries??[];return T`<header class="toolbar">
      ${this.narrow?T`<button class="icon-btn menu" aria-label=${L.openSidebar} title=${L.openSidebar} @click=${this.toggleMenu}>
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${An}></path></svg>
          </button>`:D}
      <h1>${L.title}</h1>
      ${e.length>1?T`<label class="entry-picker">
            <span>${L.home}</span>
            <select @change=${this.onEntryChange} .value=${this.data.entryId??``}>
              ${e.map(e=>T`<option value=${e.config_entry_id} ?selected=${e.config_entry_id===this.data.entryId}>
                  ${e.title}
                </option>`)}
            </select>
          </label>`:D}
    </header>`}renderTabs(){let e=(this.data.requests.data?.requests??[]).filter(e=>e.status===`pending`).length;return T`<div class="tabs" role="tablist" aria-label=${L.tabsLabel} @keydown=${this.onTabKey}>
      ${$.map(t=>{let n=t===this._view;return T`<button
          role="tab"
          id="tab-${t}"
          aria-selected=${n?`true`:`false`}
          aria-controls="view-${t}"
          tabindex=${n?`0`:`-1`}
          class=${n?`tab selected`:`tab`}
          @click=${()=>this.selectView(t)}
        >
          ${L.tabs[t]}
          ${t===`requests`&&e?T`<span class="badge">${e}</span>`:D}
        </button>`})}
    </div>`}renderView(){let e=this.data;switch(this._view){case`shares`:return T`<porchlight-shares-view
          .state=${e.shares}
          .fmt=${this.fmt}
          .runAction=${this.runAction}
          .onRetry=${this.retryShares}
        ></porchlight-shares-view>`;case`ledger`:return T`<porchlight-ledger-view
          .state=${e.ledger}
          .fmt=${this.fmt}
          .onExport=${this.exportLedger}
          .onLoadOlder=${this.loadOlder}
          .onRetry=${this.retryLedger}
        ></porchlight-ledger-view>`;default:return T`<porchlight-requests-view
          .state=${e.requests}
          .fmt=${this.fmt}
          .runAction=${this.runAction}
          .onRetry=${this.retryRequests}
        ></porchlight-requests-view>`}}render(){let e=this.data,t=e.entries!==void 0&&e.entries.length===0&&e.entriesError===void 0;return T`${this.renderHeader()}
      ${t?D:this.renderTabs()}
      <main class="content">
        <div class="inner">
          ${e.liveError?T`<p class="notice live" role="status">${L.liveOff(e.liveError)}</p>`:D}
          ${t?T`<p class="notice">${L.noEntries}</p>`:T`<div role="tabpanel" id="view-${this._view}" aria-labelledby="tab-${this._view}">
                ${this.renderView()}
              </div>`}
        </div>
      </main>`}};kn=Mn,kn.properties={narrow:{type:Boolean,reflect:!0},route:{attribute:!1},panel:{attribute:!1},_view:{state:!0}},kn.styles=[Z,o`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
        background: var(--primary-background-color, #fafafa);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        flex-wrap: wrap;
        min-height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        flex: none;
      }
      :host([narrow]) .toolbar {
        padding: 0 4px 0 4px;
      }
      h1 {
        margin: 0;
        font-size: 20px;
        font-weight: 400;
        flex: 1;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      :host([narrow]) h1 {
        padding-left: 4px;
      }
      .entry-picker {
        display: flex;
        align-items: center;
        gap: 8px;
        font-size: 14px;
        padding: 8px 0;
        max-width: 100%;
      }
      .entry-picker select {
        min-height: 40px;
        max-width: 60vw;
        padding: 0 8px;
        font: inherit;
        border-radius: 8px;
        border: 1px solid var(--divider-color, #c4c4c4);
        background: var(--card-background-color, #fff);
        color: var(--primary-text-color, #212121);
      }
      .tabs {
        display: flex;
        flex: none;
        background: var(--card-background-color, #fff);
        border-bottom: 1px solid var(--divider-color, #e0e0e0);
        padding: 0 8px;
        overflow-x: auto;
      }
      .tab {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        min-height: 48px;
        padding: 0 16px;
        border: none;
        border-bottom: 2px solid transparent;
        background: none;
        font: inherit;
        font-size: 14px;
        font-weight: 500;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--secondary-text-color, #727272);
        cursor: pointer;
        flex: none;
      }
      .tab.selected {
        color: var(--primary-color, #03a9f4);
        border-bottom-color: var(--primary-color, #03a9f4);
      }
      .tab:focus-visible {
        outline-offset: -4px;
      }
      .badge {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        min-width: 20px;
        height: 20px;
        padding: 0 6px;
        border-radius: 10px;
        font-size: 12px;
        letter-spacing: 0;
        background: var(--primary-color, #03a9f4);
        color: var(--text-primary-color, #fff);
      }
      .content {
        flex: 1;
        min-height: 0;
        overflow-y: auto;
        overflow-x: hidden;
      }
      .inner {
        max-width: 1040px;
        margin: 0 auto;
        padding: 16px;
      }
      :host([narrow]) .inner {
        padding: 12px 8px;
      }
      .live {
        margin: 0 0 12px;
      }
    `];function Nn(){U(`porchlight-relative-time`,bn),U(`porchlight-request-item`,mn),U(`porchlight-requests-view`,Sn),U(`porchlight-share-item`,Tn),U(`porchlight-shares-view`,Dn),U(`porchlight-ledger-view`,Vt),U(`porchlight-panel`,Mn),U(Q,Mt),U(`porchlight-requests-card-editor`,Pt),at({type:Q,name:L.cardName,description:L.cardDescription,preview:!1})}function Pn(){return typeof document>`u`||document.querySelector(`home-assistant`)===null||customElements.get(`home-assistant`)?(Nn(),Promise.resolve()):customElements.whenDefined(`home-assistant`).then(Nn)}Pn();export{Nn as defineAll,Pn as defineWhenHomeAssistantIsReady};