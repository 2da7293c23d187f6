"""Synthetic registry of Arabic and Persian names with known duplicates (deterministic by seed).

The spelling lists below are real attested Latin spellings of common Iranian and Iraqi
given and family names, collected from public knowledge.  They are kept apart from the
engine's rules on purpose: the benchmark measures the rules on spellings the engine did
not memorise.

Family names (``--surnames``): "realistic" (default) draws them from a Zipf-Mandelbrot
distribution, p(rank) ~ 1 / (rank + 10): the attested families below are the head (the most
common name ~1 % of people, as the most common Iranian surnames are), then a long tail built
from real formation patterns, each name with romanisation variants (Persian: a given-name,
word or place root + -i / -ian / -zadeh / -pour / -nejad / -far / -nia / -vand / -lou …,
a title + root (Mirhosseini), family name + place (Hashemi Rafsanjani); Iraqi: al- + tribe,
place or trade, Al Bu + ancestor, an ancestor's bare given name; variants al-/el-/Al/none,
-zadeh/-zade, pour/poor/pur, nejad/nezhad, gh/q, ou/u/oo, ei/ey/ai, doubled consonants
written once, final i/y).  40,000 Iranian and 288 Iraqi family names in all.  "head" is the
generator before the surname model: the attested families only, drawn uniformly, so at a
million records ~15,000 people share each family name (the same data as before, seed for
seed).  Numbers and reasons: docs/benchmarks-dedup.md, "Surname model".

Households: a family name, a father (whose given name is the children's father_name),
siblings with different given names, sometimes twins (same birth date).  Re-registrations:
the same person registered again with another spelling, a partial or day/month-swapped
date, a missing document, a changed phone, an article added or dropped, the odd typo.

    python bench/dedup_variants.py --records 10000 --seed 1 --out /tmp/people.csv \
        --truth /tmp/truth.csv
    # the second, held-out set: another seed, more partial dates, fewer documents
    python bench/dedup_variants.py --records 10000 --seed 7 --partial 0.45 --documents 0.3 \
        --out /tmp/people2.csv --truth /tmp/truth2.csv
    # the generator before the surname model (uniform over the attested families)
    python bench/dedup_variants.py --records 10000 --surnames head --out /tmp/p.csv \
        --truth /tmp/t.csv
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import sys
from bisect import bisect_left

MALE = [
    ["Mohammad", "Muhammad", "Mohammed", "Mohamed", "Mohamad", "Muhammed", "Mouhamed"],
    ["Ali", "Aly", "Alee"],
    ["Hossein", "Hussein", "Husain", "Hussain", "Hosein", "Husayn", "Houssein", "Hocine"],
    ["Hassan", "Hasan", "Hassen"],
    ["Reza", "Rida", "Ridha", "Redha"],
    ["Mahdi", "Mehdi", "Mahdy", "Mehdy"],
    ["Ahmad", "Ahmed"],
    ["Mahmoud", "Mahmud", "Mahmood", "Mahmod"],
    ["Abbas", "Abas", "Abbass"],
    ["Jafar", "Jaafar", "Ja'far", "Jafer", "Djafar"],
    ["Mostafa", "Mustafa", "Moustafa", "Mustapha", "Mostapha"],
    ["Mohsen", "Mohsin", "Muhsin", "Mohssen"],
    ["Karim", "Kareem", "Karem"],
    ["Hamid", "Hameed"],
    ["Hamed", "Haamed"],
    ["Yousef", "Yusuf", "Youssef", "Yousif", "Yusef", "Yossef"],
    ["Ebrahim", "Ibrahim", "Ibraheem", "Ebraheem"],
    ["Esmail", "Ismail", "Esmaeil", "Ismael", "Ismaeel", "Esmaiel"],
    [
        "Abdulrahman",
        "Abdel Rahman",
        "Abd al-Rahman",
        "Abdurrahman",
        "Abdul Rahman",
        "Abdelrahman",
        "Abdorrahman",
    ],
    ["Abdullah", "Abdallah", "Abdollah", "Abd Allah", "Abdulla"],
    ["Abdulkarim", "Abdel Karim", "Abd al-Karim", "Abdolkarim", "Abdul Karim"],
    ["Omar", "Umar", "Omer"],
    ["Othman", "Osman", "Usman", "Uthman"],
    ["Khaled", "Khalid", "Khaleed"],
    ["Qasim", "Ghasem", "Kasim", "Qassem", "Kassem", "Ghassem", "Qasem"],
    ["Sadegh", "Sadiq", "Sadeq", "Sadek", "Sadik"],
    ["Bagher", "Baqir", "Baqer", "Bakir"],
    ["Javad", "Jawad", "Jevad"],
    ["Vahid", "Wahid", "Waheed"],
    ["Saeed", "Said", "Saied", "Sa'id", "Saeid"],
    ["Morteza", "Murtada", "Murtadha", "Mortaza", "Mortada"],
    ["Mojtaba", "Mujtaba"],
    ["Amir", "Ameer"],
    ["Hamza", "Hamzeh", "Hamzah"],
    ["Yaqub", "Yaghoub", "Yacoub", "Yakub", "Yaqoob", "Yaaqub"],
    ["Musa", "Mousa", "Moosa", "Mussa"],
    ["Isa", "Eisa", "Issa", "Essa"],
    ["Dawood", "Davood", "Daoud", "Dawud", "Daud"],
    ["Meysam", "Maytham", "Meisam", "Maitham"],
    ["Heidar", "Haidar", "Haydar", "Heydar", "Hayder"],
    ["Nasser", "Naser", "Nasir", "Nacer"],
    ["Salman", "Selman"],
    ["Majid", "Majeed", "Madjid"],
    ["Rasoul", "Rasul", "Rasool"],
    ["Gholam", "Ghulam", "Golam", "Qolam"],
    ["Akbar", "Akber"],
    ["Asghar", "Asgar", "Askar"],
    ["Nureddin", "Nour al-Din", "Noureddine", "Nur ad-Din", "Nuraddin"],
    ["Hadi", "Haadi", "Hady"],
    ["Saleh", "Salih"],
    ["Ammar", "Amar"],
    ["Karrar", "Karar"],
    ["Iyad", "Ayad", "Eyad"],
    ["Zaid", "Zeid", "Zayd"],
    ["Uday", "Oday", "Odai", "Udai"],
    ["Sajjad", "Sajad"],
    ["Farhad", "Farhaad"],
    ["Behrouz", "Behruz", "Behrooz"],
    ["Kourosh", "Kurosh", "Koorosh"],
    ["Siavash", "Siyavash", "Siavosh"],
    ["Omid", "Umid", "Omeed"],
    ["Ehsan", "Ihsan", "Ehsaan"],
    ["Navid", "Naveed"],
    ["Milad", "Meelad"],
    ["Peyman", "Payman", "Paiman"],
    ["Arash", "Aarash"],
    ["Babak", "Baabak"],
    ["Younes", "Yunus", "Younis", "Yunes"],
    ["Jalal", "Djalal", "Jalaal"],
    ["Kamal", "Kamaal", "Kemal"],
]

FEMALE = [
    ["Fatemeh", "Fatima", "Fatimah", "Fateme", "Fatma", "Fatmeh"],
    ["Zahra", "Zahraa", "Zahrah", "Zehra"],
    ["Maryam", "Mariam", "Maryem", "Meryem", "Mariyam"],
    ["Zeinab", "Zainab", "Zaynab", "Zeynab"],
    ["Masoumeh", "Masuma", "Masoomeh", "Masoume", "Maasoumeh"],
    ["Khadijeh", "Khadija", "Khadidja", "Khadeeja", "Khadijah"],
    ["Leila", "Layla", "Laila", "Leyla"],
    ["Aisha", "Ayesha", "Aicha", "Aysha", "Aishah"],
    ["Sakineh", "Sakina", "Sakinah", "Sakine"],
    ["Narges", "Nargis", "Narjes", "Narjis"],
    ["Roghayeh", "Ruqayya", "Roqayeh", "Ruqaya", "Rogayeh"],
    ["Somayeh", "Sumaya", "Somaye", "Sumayyah"],
    ["Elham", "Ilham"],
    ["Shirin", "Shireen"],
    ["Parisa", "Parissa"],
    ["Azadeh", "Azade", "Azada"],
    ["Mina", "Meena"],
    ["Sara", "Sarah"],
    ["Nour", "Noor", "Nur"],
    ["Hoda", "Huda", "Houda"],
    ["Samira", "Sameera", "Samirah"],
    ["Amal", "Amaal"],
    ["Asma", "Asmaa", "Asmah"],
    ["Rana", "Ranaa"],
    ["Amina", "Ameneh", "Aminah", "Amene"],
    ["Hajar", "Hadjer", "Hajer"],
    ["Tahereh", "Tahira", "Tahere", "Taheera"],
    ["Nasrin", "Nasreen"],
    ["Soraya", "Thuraya", "Suraya"],
    ["Fereshteh", "Fereshte"],
    ["Marzieh", "Marziyeh", "Marzie"],
    ["Zohreh", "Zohre", "Zuhra"],
    ["Batool", "Batoul", "Batul"],
    ["Alia", "Aliya", "Aaliyah"],
    ["Halima", "Halimeh", "Haleema"],
    ["Shahla", "Shahlaa"],
    ["Mahnaz", "Mahnaaz"],
    ["Noura", "Nora", "Noora", "Nura"],
    ["Rahma", "Rahmah", "Rahmeh"],
    ["Safiya", "Safia", "Safiyeh", "Safiyyah"],
]

FAMILY_IRN = [
    ["Hosseini", "Husseini", "Hoseini", "Hosaini"],
    ["Mohammadi", "Mohamadi", "Muhammadi"],
    ["Ahmadi", "Ahmady"],
    ["Rezaei", "Rezaee", "Rezai", "Rezayi", "Rezaie"],
    ["Karimi", "Kareemi"],
    ["Hashemi", "Hashimi"],
    ["Moradi", "Muradi", "Mouradi"],
    ["Jafari", "Jaafari", "Ja'fari", "Djafari"],
    ["Rahimi", "Raheemi"],
    ["Sadeghi", "Sadeqi", "Sadiqi"],
    ["Ghorbani", "Qorbani", "Gorbani", "Qurbani"],
    ["Mousavi", "Musavi", "Moosavi", "Musawi", "Mousawi"],
    ["Kazemi", "Kazimi", "Kadhimi"],
    ["Heidari", "Haidari", "Heydari", "Haydari"],
    ["Akbari", "Akbary"],
    ["Abbasi", "Abassi"],
    ["Hosseinzadeh", "Hoseinzadeh", "Husseinzadeh", "Hosseinzade"],
    ["Ebrahimi", "Ibrahimi"],
    ["Nazari", "Nazary"],
    ["Salehi", "Salihi"],
    ["Azizi", "Azeezi"],
    ["Najafi", "Nadjafi"],
    ["Rostami", "Rustami"],
    ["Yousefi", "Yusufi", "Yousfi"],
    ["Alavi", "Alawi"],
    ["Amini", "Ameeni"],
    ["Bagheri", "Baqeri", "Baqiri"],
    ["Ghasemi", "Qasemi", "Ghassemi", "Qasimi"],
    ["Shahbazi", "Shahbazy"],
    ["Tavakoli", "Tavakkoli", "Tawakoli"],
    ["Mahmoudi", "Mahmudi", "Mahmoodi"],
    ["Safari", "Saffari"],
    ["Naderi", "Nadiri"],
    ["Soltani", "Sultani"],
    ["Zamani", "Zamany"],
]

FAMILY_IRQ = [
    ["al-Jubouri", "Al Juboori", "Aljuburi", "al-Jabouri", "Jubouri"],
    ["al-Tamimi", "Al Tamimi", "Altamimi", "Tamimi", "at-Tamimi"],
    ["al-Obaidi", "Al Ubaidi", "Alobaidi", "Obaidi", "al-Ubaydi"],
    ["al-Dulaimi", "Al Dulaymi", "Dulaimi", "ad-Dulaimi"],
    ["al-Shammari", "Al Shamari", "ash-Shammari", "Shammari"],
    ["al-Saadi", "Al Sa'adi", "Saadi", "as-Saadi"],
    ["al-Khafaji", "Al Khafaji", "Khafaji", "Alkhafaji"],
    ["al-Maliki", "Al Malki", "Maliki"],
    ["al-Zubaidi", "Al Zubaydi", "Zubaidi", "az-Zubaidi"],
    ["al-Rubaie", "Al Rubaiee", "Rubaie", "Al-Rubaye"],
    ["al-Janabi", "Al Jenabi", "Janabi"],
    ["al-Azzawi", "Al Azawi", "Azzawi"],
    ["al-Hassan", "Hassan", "Al Hasan"],
    ["al-Mousawi", "Al Musawi", "Mousawi"],
    ["al-Hakim", "Al Hakeem", "Hakim"],
    ["al-Kubaisi", "Kubaisi", "al-Qubaisi"],
    ["Kadhim", "Kazem", "Kazim", "Kadim"],
    ["Jassim", "Jasim", "Jasem"],
    ["al-Ameri", "Al Amiri", "Ameri"],
    ["al-Bayati", "Al Bayati", "Bayati"],
    ["al-Sudani", "Al Soudani", "Sudani"],
    ["al-Rikabi", "Al Rekabi", "Rikabi"],
    ["al-Lami", "Al Lami", "Lami"],
    ["al-Mashhadani", "Al Mashadani", "Mashhadani"],
    ["al-Asadi", "Al Assadi", "Asadi"],
]

# --- surname model ------------------------------------------------------------------------
#
# "head": the attested families above, drawn uniformly (the generator before the surname
# model: at a million records ~16,000 people share each family name).
# "realistic" (default): those families are the head of a Zipf-Mandelbrot distribution,
# p(rank) ~ 1 / (rank + ZIPF_Q) ** ZIPF_S, followed by a long tail of family names built
# from the real formation patterns below, each with spelling variants made the way
# romanisation varies.  Numbers and reasons: docs/benchmarks-dedup.md, "Surname model".
SURNAME_MODELS = ("realistic", "head")
ZIPF_S, ZIPF_Q = 1.0, 10.0
IRN_SURNAMES = 40_000  # distinct Iranian family names in the population drawn from
TAIL_SEED = 20_250_101  # the population of names is fixed; the data seed draws from it

# Persian roots: given names (Alipour, Hassanzadeh, Rezanejad, Karimian, Mahdavi) …
IRN_NAME_ROOTS = [
    ["Ali"],
    ["Hassan", "Hasan"],
    ["Hossein", "Hosein", "Hussein"],
    ["Reza"],
    ["Mohammad", "Mohamad", "Mohammed"],
    ["Ahmad"],
    ["Mahmoud", "Mahmood", "Mahmud"],
    ["Abbas", "Abas"],
    ["Jafar", "Jaafar"],
    ["Karim"],
    ["Rahim"],
    ["Kazem", "Kazim"],
    ["Ghasem", "Qasem", "Ghassem"],
    ["Taghi", "Taqi"],
    ["Naghi", "Naqi"],
    ["Bagher", "Baqer"],
    ["Sadegh", "Sadeq"],
    ["Javad", "Jevad"],
    ["Mahdi", "Mehdi"],
    ["Hadi"],
    ["Mousa", "Musa"],
    ["Isa", "Eisa"],
    ["Yousef", "Yusef"],
    ["Ebrahim", "Ibrahim"],
    ["Esmail", "Esmaeil"],
    ["Amir"],
    ["Akbar"],
    ["Asghar", "Asgar"],
    ["Heidar", "Heydar", "Haidar"],
    ["Nasser", "Naser"],
    ["Majid"],
    ["Hamid"],
    ["Saeed", "Saeid"],
    ["Vahid"],
    ["Jalal"],
    ["Kamal"],
    ["Bahram"],
    ["Khosrow", "Khosro"],
    ["Farhad"],
    ["Behrouz", "Behrooz"],
    ["Kourosh", "Kurosh"],
    ["Dariush", "Daryoush"],
    ["Rostam", "Rustam"],
    ["Sohrab"],
    ["Bijan", "Bizhan"],
    ["Jamshid"],
    ["Fereydoun", "Fereidoun"],
    ["Manouchehr", "Manuchehr"],
    ["Shahram"],
    ["Rasoul", "Rasul"],
    ["Gholam", "Qolam"],
    ["Soleiman", "Soleyman"],
    ["Yaghoub", "Yaqub"],
    ["Morad", "Murad"],
    ["Nour", "Noor"],
    ["Safar"],
    ["Ramezan", "Ramazan"],
    ["Shaban", "Shaaban"],
    ["Rajab"],
    ["Mirza"],
    ["Baba"],
    ["Ghodrat", "Qodrat"],
    ["Nemat", "Neamat"],
    ["Ashraf"],
    ["Aziz"],
    ["Habib"],
    ["Latif"],
    ["Zaman"],
    ["Soltan", "Sultan"],
    ["Khalil"],
    ["Jalil"],
    ["Nabi"],
    ["Vali", "Wali"],
    ["Ghafour", "Ghafoor", "Qafur"],
    ["Rahman"],
    ["Salman"],
    ["Omid"],
    ["Navid"],
    ["Kian"],
    ["Arsalan", "Arslan"],
    ["Mansour", "Mansur"],
    ["Masoud", "Masud"],
    ["Ghorban", "Qorban"],
    ["Heshmat"],
    ["Eskandar", "Iskandar"],
    ["Tahmaseb", "Tahmasb"],
    ["Mokhtar", "Mukhtar"],
]
# … Persian words (Golpour, Niknejad, Dehghani, Keshavarzi, Pakzad) …
IRN_WORD_ROOTS = [
    ["Gol"],
    ["Bagh"],
    ["Kouh", "Kuh", "Kooh"],
    ["Darya", "Daria"],
    ["Shir"],
    ["Bahar"],
    ["Sabz"],
    ["Roshan", "Rowshan"],
    ["Nik"],
    ["Pak"],
    ["Jahan"],
    ["Mehr"],
    ["Khoda"],
    ["Shah"],
    ["Zar"],
    ["Sang"],
    ["Ahan"],
    ["Dehghan", "Dehqan"],
    ["Keshavarz"],
    ["Ahangar"],
    ["Najjar", "Najar"],
    ["Attar", "Atar"],
    ["Sarraf", "Saraf"],
    ["Bazzaz"],
    ["Khayyat", "Khayat"],
    ["Farahmand"],
    ["Daneshmand"],
    ["Bahador", "Bahadour"],
    ["Azad"],
    ["Sharif"],
    ["Nasr"],
    ["Fath"],
    ["Behzad"],
    ["Kamran"],
    ["Mehran"],
    ["Arman"],
    ["Parvin"],
    ["Sepehr"],
    ["Sadr"],
    ["Amin"],
    ["Shokr"],
    ["Ganj"],
    ["Rahnama"],
    ["Golshan"],
    ["Forouz", "Foruz"],
    ["Bakhtiar", "Bakhtyar"],
    ["Afshar"],
    ["Ghaffar", "Qaffar"],
    ["Jahangir"],
    ["Tavana"],
    ["Kashef"],
    ["Motlagh", "Motlaq"],
]
# … and places (Tehrani, Shirazi, Esfahani/Isfahani, Qazvini/Ghazvini, Hamadani).
IRN_PLACES = [
    ["Tehran"],
    ["Shiraz"],
    ["Esfahan", "Isfahan", "Esfehan"],
    ["Tabriz"],
    ["Kerman"],
    ["Yazd"],
    ["Qazvin", "Ghazvin"],
    ["Kashan"],
    ["Hamadan", "Hamedan"],
    ["Mashhad", "Mashad"],
    ["Qom", "Ghom"],
    ["Rasht"],
    ["Ardabil", "Ardebil"],
    ["Zanjan"],
    ["Semnan"],
    ["Khorasan", "Khorassan"],
    ["Neyshabour", "Neishabour", "Nishabur"],
    ["Sabzevar", "Sabzavar"],
    ["Arak"],
    ["Boroujerd", "Borujerd"],
    ["Dezful", "Dezfoul"],
    ["Shoushtar", "Shushtar"],
    ["Behbahan"],
    ["Bushehr", "Booshehr"],
    ["Kazeroun", "Kazerun"],
    ["Jahrom"],
    ["Lahijan", "Lahidjan"],
    ["Langaroud", "Langarud"],
    ["Gilan", "Guilan"],
    ["Amol"],
    ["Babol"],
    ["Gorgan"],
    ["Damghan"],
    ["Shahroud", "Shahrud"],
    ["Tafresh"],
    ["Khomein"],
    ["Golpayegan"],
    ["Khansar", "Khwansar"],
    ["Natanz"],
    ["Rafsanjan"],
    ["Sirjan"],
    ["Zarand"],
    ["Birjand"],
    ["Tabas"],
    ["Gonabad"],
    ["Kashmar"],
    ["Abhar"],
    ["Takestan"],
    ["Sarab"],
    ["Ardestan"],
    ["Khoy"],
    ["Najafabad"],
    ["Lar"],
]
# Suffixes with their romanisations (-zadeh/-zade, pour/poor/pur, nejad/nezhad …).
IRN_SUFFIXES = [
    ["zadeh", "zade"],
    ["pour", "poor", "pur"],
    ["nejad", "nezhad", "nejhad"],
    ["far"],
    ["nia", "niya"],
    ["vand", "wand"],
    ["lou", "lu", "loo"],
    ["khani"],
    ["abadi"],
    ["zad"],
]
IRN_AFTER_NISBA = [
    ["pour", "poor", "pur"],
    ["nejad", "nezhad"],
    ["far"],
    ["nia", "niya"],
    ["zadeh", "zade"],
]  # Ahmadinejad, Rezaeipour
IRN_PREFIXES = [
    ["Mir"],
    ["Agha", "Aqa"],
    ["Haj", "Haji", "Hadj"],
    ["Seyed", "Sayed"],
    ["Sheikh", "Sheykh", "Shaikh"],
    ["Molla", "Mulla"],
    ["Amir"],
    ["Ostad"],
    ["Kal"],
]  # Mirhosseini, Aghamohammadi

# Iraqi family names: tribes and clans (al-Khazraji, al-Fatlawi) …
IRQ_TRIBES = [
    ["Khazraji"],
    ["Fatlawi"],
    ["Mayahi", "Mayyahi"],
    ["Kaabi", "Ka'bi"],
    ["Bahadli"],
    ["Daraji", "Darraji"],
    ["Hamdani"],
    ["Qaisi", "Qaysi", "Kaisi"],
    ["Shaibani", "Shaybani"],
    ["Khalidi"],
    ["Jumaili", "Jumayli"],
    ["Issawi", "Esawi"],
    ["Duri", "Douri"],
    ["Ansari"],
    ["Kinani"],
    ["Hayali"],
    ["Sabawi"],
    ["Zaidi", "Zaydi"],
    ["Quraishi", "Qurashi"],
    ["Ghanimi", "Ghanemi"],
    ["Jabiri"],
    ["Saedi", "Sa'idi"],
    ["Bidhani", "Baidhani"],
    ["Budairi", "Bedairi"],
    ["Hilali"],
    ["Mutairi"],
    ["Harbi"],
    ["Anizi", "Anazi"],
    ["Tai", "Ta'i"],
    ["Uqaili", "Aqili"],
    ["Kurdi"],
    ["Turkmani"],
    ["Sharifi"],
    ["Mansouri", "Mansuri"],
    ["Suwaidi", "Swaidi"],
    ["Nuaimi", "Naimi"],
    ["Kilabi"],
    ["Khaqani", "Khaghani"],
    ["Gharawi"],
    ["Hasnawi", "Hassnawi"],
    ["Mohammadawi", "Muhammadawi"],
    ["Shuwaili"],
    ["Abboudi", "Abbudi"],
    ["Zaidawi"],
    ["Dhufairi", "Zufairi"],
]
# … places (al-Baghdadi, al-Basri, al-Mosuli/al-Mawsili, al-Najafi, al-Hilli) …
IRQ_PLACES = [
    ["Baghdadi"],
    ["Basri"],
    ["Mosuli", "Mawsili", "Musili"],
    ["Najafi"],
    ["Hilli", "Hili"],
    ["Anbari"],
    ["Tikriti"],
    ["Samarrai", "Samarraie", "Samarra'i"],
    ["Karbalai", "Karbalaei"],
    ["Kufi"],
    ["Kirkuki"],
    ["Diwani"],
    ["Nasiri"],
    ["Amari"],
    ["Kuti"],
    ["Ramadi"],
    ["Falluji"],
    ["Hadithi"],
    ["Rawi"],
    ["Ani"],
    ["Hiti"],
    ["Baqubi"],
    ["Khalisi"],
    ["Dujaili"],
    ["Shatri"],
    ["Samawi", "Semawi"],
    ["Zubairi"],
    ["Karkhi"],
    ["Kadhimi", "Kazimi", "Kadimi"],
    ["Adhami", "Azami"],
    ["Mandalawi"],
    ["Arbili", "Erbili"],
]
# … trades (al-Haddad, al-Najjar), the Prophet's family (al-Hashimi, al-Husseini) …
IRQ_TRADES = [
    ["Haddad"],
    ["Najjar"],
    ["Attar"],
    ["Khayyat", "Khayat"],
    ["Bazzaz"],
    ["Sarraf"],
    ["Dabbagh"],
    ["Sabbagh"],
    ["Qassab", "Gassab"],
    ["Hallaq"],
    ["Jawahiri"],
    ["Saffar"],
    ["Tahhan"],
    ["Khabbaz"],
    ["Allaf"],
]
IRQ_HASHEMITE = [
    ["Hashimi", "Hashemi"],
    ["Husseini", "Husaini"],
    ["Hassani", "Hasani"],
    ["Abbasi"],
    ["Jaafari", "Ja'fari"],
    ["Alawi", "Alwi"],
    ["Radhawi", "Ridawi"],
    ["Sadri"],
    ["Hakimi"],
    ["Baqiri"],
]
# … and an ancestor's given name: bare (the grandfather's name as family name, like Kadhim
# and Jassim above) or as a clan, "Al Bu" + name (Albu Mohammed, Al Bu Sultan).
IRQ_ANCESTORS = [
    ["Jabbar"],
    ["Sattar"],
    ["Ghafour", "Ghafoor"],
    ["Hashim", "Hashem"],
    ["Khalil"],
    ["Hamoud", "Hammoud", "Hamood"],
    ["Abd al-Amir", "Abdulamir", "Abdul Ameer"],
    ["Abd al-Hussein", "Abdulhussein", "Abdul Hussain"],
    ["Abd al-Zahra", "Abdulzahra"],
    ["Abd al-Ridha", "Abdulridha", "Abdul Redha"],
    ["Abd Ali", "Abdali"],
    ["Abd al-Jabbar", "Abduljabbar"],
    ["Abd al-Sattar", "Abdulsattar"],
    ["Abd al-Wahab", "Abdulwahab", "Abdul Wahhab"],
    ["Abd al-Razzaq", "Abdulrazaq"],
    ["Fadhil", "Fadil", "Fadel"],
    ["Hamad"],
    ["Sultan"],
    ["Shalal", "Shallal"],
    ["Mutlaq", "Mutlak"],
    ["Khalaf"],
    ["Obaid", "Ubaid"],
    ["Jabr", "Jaber"],
    ["Saad", "Sa'ad"],
    ["Aziz", "Azeez"],
    ["Farhan"],
    ["Hamdan"],
    ["Sahib", "Saheb"],
    ["Ghazi"],
    ["Nayef", "Naif"],
    ["Rashid", "Rasheed"],
    ["Shaker", "Shakir"],
    ["Sabri"],
    ["Salim", "Saleem"],
    ["Kamil", "Kamel"],
    ["Falih", "Faleh"],
    ["Mizher", "Mizhir"],
    ["Rahim", "Raheem"],
    ["Hamid", "Hameed"],
    ["Zuhair", "Zuhayr"],
    ["Abbas"],
    ["Ali"],
    ["Hussein", "Husain"],
    ["Hassan", "Hasan"],
    ["Mohammed", "Muhammad"],
    ["Ahmed"],
    ["Mahmoud", "Mahmood"],
    ["Jaafar", "Jafar"],
    ["Kareem", "Karim"],
    ["Mohsin", "Muhsin"],
    ["Ibrahim"],
    ["Ismail"],
    ["Khalid"],
    ["Salman"],
    ["Nasir", "Nasser"],
    ["Yousif", "Yusuf"],
    ["Dawood", "Daoud"],
    ["Mahdi"],
    ["Sadiq", "Sadeq"],
    ["Baqir", "Baqer"],
    ["Jawad"],
    ["Majeed", "Majid"],
    ["Ridha", "Redha"],
    ["Musa", "Mousa"],
    ["Isa", "Issa"],
    ["Hamza", "Hamzah"],
    ["Hadi"],
    ["Saleh", "Salih"],
    ["Ammar"],
    ["Faisal"],
    ["Muslim"],
    ["Shihab", "Shehab"],
    ["Hilal"],
    ["Hammadi", "Hamadi"],
    ["Alwan", "Elwan"],
    ["Atiya", "Atiyah"],
    ["Jumaa", "Juma"],
    ["Ghanim", "Ghanem"],
    ["Kadhum", "Kazum"],
    ["Thamir", "Thamer"],
    ["Abid", "Abed"],
]
_SUN = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n")

# Romanisation variation of a whole name, tried at random positions (where a rule applies):
# ق/غ as gh or q, و as ou/u/oo, the diphthong as ei/ey/ai, a doubled consonant written
# once (Hosseini/Hoseini, Najjar/Najar), the final ی as i/y, -aei as -aee/-ai/-ayi, و as v/w.
_ROMANISATION = [
    (r"gh", ["q"]),
    (r"(?<!^)q", ["gh"]),
    (r"ou", ["u", "oo"]),
    (r"oo", ["ou", "u"]),
    (r"ei", ["ey", "ai"]),
    (r"ey", ["ei"]),
    (r"([bdfjklmnprstz])\1", [r"\1"]),
    (r"i$", ["y", "ee"]),
    (r"aei$", ["aee", "ai", "ayi"]),
    (r"(?<=[aou])v(?=[aeiou])", ["w"]),
    (r"dh", ["d", "z"]),
]


def _romanise(rng: random.Random, name: str) -> str:
    """``name`` with one romanisation rule applied at one place where it applies."""
    rules = [(re.compile(p, re.I), reps) for p, reps in _ROMANISATION]
    rng.shuffle(rules)
    for pattern, reps in rules:
        hits = list(pattern.finditer(name))
        if hits:
            m = rng.choice(hits)
            new = m.expand(rng.choice(reps))
            if m.group()[:1].isupper():
                new = new[:1].upper() + new[1:]
            return name[: m.start()] + new + name[m.end() :]
    return name


def _spellings(rng: random.Random, build, n_variants: int = 4) -> list[str]:
    """The canonical spelling (``build(None)``) then up to ``n_variants`` others:
    ``build(rng)`` picks a spelling of each part, and half of them are romanised again."""
    out = [build(None)]
    for _ in range(n_variants * 2):
        s = build(rng)
        if rng.random() < 0.5:
            s = _romanise(rng, s)
        if s not in out:
            out.append(s)
        if len(out) > n_variants:
            break
    return out


def _pick(rng: random.Random | None, options: list[str]) -> str:
    return options[0] if rng is None else rng.choice(options)


def _nisba(root: str) -> str:
    """The Persian/Arabic relational -i: Karim -> Karimi, Reza -> Rezaei, Mahdi -> Mahdavi,
    Khosrow -> Khosravi."""
    if root.endswith("a"):
        return root + "ei"
    if root.endswith("i"):
        return root[:-1] + "avi"
    if root.endswith("ow"):
        return root[:-2] + "avi"
    if root.endswith(("o", "u")):
        return root[:-1] + "avi"
    return root + "i"


def _ian(root: str) -> str:
    """-ian: Karim -> Karimian, Reza -> Rezaeian, Mahdi -> Mahdian."""
    if root.endswith("a"):
        return root + "eian"
    return (root[:-1] if root.endswith("i") else root) + "ian"


def _glue(a: str, b: str, sep: str) -> str:
    return a + sep + (b.capitalize() if sep else b.lower())


def _persian_tail() -> list[list[str]]:
    """Iranian family names after the head, most common first: a word, given-name or place
    root with -i / -ian / a suffix (tier 1) or a title prefix (tier 2), then double-barrel
    names (family name + place nisba: Hashemi Rafsanjani, Mousavi Ardabili)."""
    rng = random.Random(TAIL_SEED)
    head = {s.lower() for fam in FAMILY_IRN for s in fam}
    seen: set[str] = set(head)
    tiers: list[list] = [[], [], []]  # root + suffix, title + root, place nisba

    def add(tier: int, build) -> None:
        canon = build(None)
        if canon.lower() not in seen:
            seen.add(canon.lower())
            tiers[tier].append(build)

    for roots in IRN_NAME_ROOTS + IRN_WORD_ROOTS:
        add(0, lambda r, rs=roots: _nisba(_pick(r, rs)))
        add(0, lambda r, rs=roots: _ian(_pick(r, rs)))
        for suf in IRN_SUFFIXES:
            add(
                0,
                lambda r, rs=roots, sf=suf: _glue(
                    _pick(r, rs), _pick(r, sf), _pick(r, ["", "", "-"])
                ),
            )
        for suf in IRN_AFTER_NISBA:
            add(0, lambda r, rs=roots, sf=suf: _nisba(_pick(r, rs)) + _pick(r, sf))
    for roots in IRN_NAME_ROOTS:
        for pre in IRN_PREFIXES:
            add(
                1,
                lambda r, rs=roots, p=pre: _glue(
                    _pick(r, p), _nisba(_pick(r, rs)), _pick(r, ["", " ", "-"])
                ),
            )
    for places in IRN_PLACES:
        add(2, lambda r, ps=places: _nisba(_pick(r, ps)))
        for suf in IRN_AFTER_NISBA:
            add(2, lambda r, ps=places, sf=suf: _nisba(_pick(r, ps)) + _pick(r, sf))
    singles = tiers[0] + tiers[1] + tiers[2]
    rng.shuffle(singles)
    places = [lambda r, ps=ps: _nisba(_pick(r, ps)) for ps in IRN_PLACES]
    doubles = [(a, b) for a in tiers[0] for b in places]
    rng.shuffle(doubles)
    out = [_spellings(rng, b) for b in singles]
    need = IRN_SURNAMES - len(FAMILY_IRN) - len(out)
    for a, b in doubles[: max(need, 0)]:
        out.append(
            _spellings(rng, lambda r, a=a, b=b: _glue(a(r), b(r), _pick(r, [" ", "-", " "])))
        )
    return out


def _article(r: random.Random | None, word: str) -> str:
    """al-X and the ways it is written: Al X, Al-X, AlX, el-X, X, the sun letter's ad-X."""
    if r is None:
        return "al-" + word
    sun = next((s for s in _SUN if word.lower().startswith(s)), None)
    forms = ["al-" + word, "Al " + word, "Al-" + word, "Al" + word.lower(), "el-" + word, word]
    if sun:
        forms.append("a" + sun + "-" + word)
    return r.choice(forms)


def _iraqi_tail() -> list[list[str]]:
    """Iraqi family names after the head: tribes, places, trades and the Prophet's family
    with the article, clans "Al Bu" + an ancestor, and an ancestor's bare given name."""
    rng = random.Random(TAIL_SEED + 1)
    head = {s.lower() for fam in FAMILY_IRQ for s in fam}
    builds = []
    for roots in IRQ_TRIBES + IRQ_PLACES + IRQ_TRADES + IRQ_HASHEMITE:
        builds.append(lambda r, rs=roots: _article(r, _pick(r, rs)))
    for names in IRQ_ANCESTORS:
        builds.append(lambda r, ns=names: _pick(r, ns))
        builds.append(lambda r, ns=names: _pick(r, ["Al Bu ", "Albu ", "Al-Bu "]) + _pick(r, ns))
    builds = [b for b in builds if b(None).lower() not in head]
    rng.shuffle(builds)
    return [_spellings(rng, b) for b in builds]


_POPULATION: dict[str, tuple[list[list[str]], list[float]]] = {}


def surname_population(nat: str) -> tuple[list[list[str]], list[float]]:
    """(families most common first, cumulative Zipf-Mandelbrot weights) of a nationality."""
    if nat not in _POPULATION:
        fams = FAMILY_IRN + _persian_tail() if nat == "IRN" else FAMILY_IRQ + _iraqi_tail()
        cum = list(
            itertools.accumulate(
                1.0 / (rank + ZIPF_Q) ** ZIPF_S for rank in range(1, len(fams) + 1)
            )
        )
        _POPULATION[nat] = (fams, cum)
    return _POPULATION[nat]


COLUMNS = [
    "person_id",
    "case_id",
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "phone",
    "specific_needs",
]


def spelling(rng: random.Random, family: list[str]) -> str:
    """One attested spelling, the first (most common) more often."""
    return family[0] if rng.random() < 0.4 else rng.choice(family)


def typo(rng: random.Random, s: str) -> str:
    """One keyboard slip: substitution, deletion, insertion or transposition."""
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("aeioudhkmnrst")
    if kind == 0:
        return s[:i] + letter + s[i + 1 :]
    if kind == 1:
        return s[:i] + s[i + 1 :]
    if kind == 2:
        return s[:i] + letter + s[i:]
    return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]


def fmt_date(y: int, m: int, d: int, partial: float, rng: random.Random) -> str:
    """A birth date, partial (YYYY or YYYY-MM) with probability ``partial``."""
    r = rng.random()
    if r < partial * 0.6:
        return f"{y:04d}"
    if r < partial:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


class Generator:
    """Builds households, people and their registrations."""

    def __init__(
        self,
        seed: int,
        dup_rate: float = 0.12,
        partial: float = 0.25,
        documents: float = 0.6,
        surnames: str = "realistic",
    ) -> None:
        if surnames not in SURNAME_MODELS:
            raise ValueError(f"surnames: one of {SURNAME_MODELS}")
        self.rng = random.Random(seed)
        self.surnames = surnames  # "realistic" (Zipf head + tail) or "head" (uniform)
        self.dup_rate = dup_rate
        self.partial = partial  # share of partial birth dates (YYYY or YYYY-MM)
        self.documents = documents  # share of persons holding a document
        self.rows: list[dict] = []
        self.truth: list[tuple[str, int]] = []
        self.n_case = 0
        self.n_entity = 0

    def person(
        self,
        sex: str,
        family: list[str],
        father: list[str] | None,
        nat: str,
        year: int,
        case: str,
        rel: str,
        phone: str,
        same_dob=None,
    ) -> None:
        """One person (an entity) and their registrations."""
        rng = self.rng
        given = rng.choice(MALE if sex == "M" else FEMALE)
        if same_dob:
            y, m, d = same_dob
        else:
            y, m, d = year, rng.randint(1, 12), rng.randint(1, 28)
        doc = (
            ("P" if nat == "IRN" else "A") + str(rng.randrange(10**7, 10**8))
            if rng.random() < self.documents
            else ""
        )
        ent = self.n_entity
        self.n_entity += 1
        base = {
            "given": given,
            "family": family,
            "father": father,
            "sex": sex,
            "nat": nat,
            "ymd": (y, m, d),
            "doc": doc,
            "phone": phone,
            "case": case,
            "rel": rel,
        }
        self.emit(ent, base, dup=False)
        if rng.random() < self.dup_rate:
            for _ in range(1 if rng.random() < 0.85 else 2):
                self.emit(ent, base, dup=True)
        return (given, (y, m, d))

    def emit(self, ent: int, p: dict, dup: bool) -> None:
        """Write one registration of entity ``ent`` (a re-registration when dup)."""
        rng = self.rng
        y, m, d = p["ymd"]
        given = spelling(rng, p["given"])
        family = spelling(rng, p["family"])
        father = spelling(rng, p["father"]) if p["father"] else ""
        if dup:
            given = typo(rng, given) if rng.random() < 0.04 else given
            family = typo(rng, family) if rng.random() < 0.04 else family
            father = "" if rng.random() < 0.2 else father
            r = rng.random()
            if r < 0.15 and d <= 12 and d != m:
                m, d = d, m
            elif r < 0.22:
                y += rng.choice((-1, 1))
            date = "" if rng.random() < 0.05 else fmt_date(y, m, d, self.partial + 0.05, rng)
            doc = "" if rng.random() < 0.5 else p["doc"]
            if doc and rng.random() < 0.1:
                doc = doc[:-1] + str((int(doc[-1]) + 1) % 10)
            phone = p["phone"]
            if rng.random() < 0.4:
                phone = "+964 7" + str(rng.randrange(10**8, 10**9))
            elif rng.random() < 0.3:
                phone = ""
            case = self.new_case()
            rel = "principal"
            sex = "" if rng.random() < 0.03 else p["sex"]
            nat = "" if rng.random() < 0.05 else p["nat"]
        else:
            date = "" if rng.random() < 0.03 else fmt_date(y, m, d, self.partial, rng)
            doc, phone, case, rel, sex, nat = (
                p["doc"],
                p["phone"],
                p["case"],
                p["rel"],
                p["sex"],
                p["nat"],
            )
            father = "" if rng.random() < 0.1 else father
        pid = f"P{len(self.rows) + 1:07d}"
        self.rows.append(
            {
                "person_id": pid,
                "case_id": case,
                "relationship": rel,
                "given_name": given,
                "family_name": family,
                "father_name": father,
                "sex": sex,
                "birth_date": date,
                "nationality": nat,
                "document_number": doc,
                "phone": phone,
                "specific_needs": "",
            }
        )
        self.truth.append((pid, ent))

    def family_name(self, nat: str) -> list[str]:
        """A family (its spellings) for a new household or spouse of nationality ``nat``."""
        if self.surnames == "head":  # the same draws as before the surname model
            return self.rng.choice(FAMILY_IRN if nat == "IRN" else FAMILY_IRQ)
        fams, cum = surname_population(nat)
        return fams[min(bisect_left(cum, self.rng.random() * cum[-1]), len(fams) - 1)]

    def new_case(self) -> str:
        self.n_case += 1
        return f"C{self.n_case:07d}"

    def household(self) -> None:
        """A household: parents (usually) and siblings, sometimes twins."""
        rng = self.rng
        nat = "IRN" if rng.random() < 0.55 else "IRQ"
        family = self.family_name(nat)
        grandfather = rng.choice(MALE)
        phone = "+98 9" + str(rng.randrange(10**8, 10**9)) if rng.random() < 0.7 else ""
        case = self.new_case()
        fy = rng.randint(1950, 1995)
        father_given, _ = self.person("M", family, grandfather, nat, fy, case, "principal", phone)
        father = father_given
        if rng.random() < 0.8:
            self.person(
                "F",
                self.family_name(nat),
                rng.choice(MALE),
                nat,
                fy + rng.randint(-3, 8),
                case,
                "spouse",
                phone,
            )
        n_children = rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6))
        for _ in range(n_children):
            cy = min(fy + rng.randint(20, 40), 2024)
            sex = rng.choice("MF")
            given, dob = self.person(sex, family, father, nat, cy, case, "child", phone)
            if rng.random() < 0.06:  # a twin: same date, same family and father
                self.person(
                    rng.choice("MF"), family, father, nat, cy, case, "child", phone, same_dob=dob
                )

    def run(self, n_records: int) -> None:
        while len(self.rows) < n_records:
            self.household()
        del self.rows[n_records:]
        del self.truth[n_records:]


def generate(n_records: int, seed: int = 1, **settings) -> tuple[list[dict], list[tuple[str, int]]]:
    """(rows of the person CSV, (person_id, entity) truth).  ``settings``: dup_rate,
    partial, documents, surnames (see Generator); the defaults are the first variant set's."""
    g = Generator(seed, **settings)
    g.run(n_records)
    return g.rows, g.truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--partial", type=float, default=0.25, help="share of partial dates")
    ap.add_argument("--documents", type=float, default=0.6, help="share with a document")
    ap.add_argument("--dup-rate", type=float, default=0.12, help="share re-registered")
    ap.add_argument(
        "--surnames",
        choices=SURNAME_MODELS,
        default="realistic",
        help="family names: Zipf head + long tail (default), or the head only",
    )
    args = ap.parse_args(argv)
    rows, truth = generate(
        args.records,
        args.seed,
        partial=args.partial,
        documents=args.documents,
        dup_rate=args.dup_rate,
        surnames=args.surnames,
    )
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(args.truth, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "entity_id"])
        w.writerows(truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
